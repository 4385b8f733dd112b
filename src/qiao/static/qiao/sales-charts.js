// The sales pages' charts (ECharts, vendored): the desk's twelve months, the monthly table's
// bars per manager or unit against the target, the seasonal index, the other statistics. The figures come from the
// page's JSON (json_script), amounts as strings (Decimal), the labels already translated.
document.addEventListener("DOMContentLoaded", () => {
  const source = document.getElementById("sales-chart-data");
  if (!source || !window.echarts) return;
  const data = JSON.parse(source.textContent);
  const labels = data.labels || {};
  const numbers = (values) => values.map((v) => (v === null ? null : Number(v)));
  const charts = [];
  const narrow = window.matchMedia("(max-width: 575.98px)").matches; // a phone
  const draw = (id, option) => {
    const element = document.getElementById(id);
    if (!element) return;
    const chart = echarts.init(element);
    chart.setOption({ tooltip: { trigger: "axis" }, legend: { top: 0, type: "scroll" },
                      grid: { left: 64, right: 16, top: 36, bottom: 48 }, ...option });
    charts.push(chart);
  };
  draw("chart-trend", {
    xAxis: { type: "category", data: data.months },
    yAxis: { type: "value" },
    series: [
      { name: labels.net_sales, type: "bar", data: numbers(data.net_sales || []) },
      { name: labels.collections, type: "bar", data: numbers(data.collections || []) },
      { name: labels.target, type: "line", data: numbers(data.target || []) },
    ],
  });
  draw("chart-performance", {
    xAxis: { type: "category", data: data.names, axisLabel: { interval: 0, rotate: 30 } },
    yAxis: { type: "value" },
    series: [
      { name: labels.net_sales, type: "bar", data: numbers(data.net_sales || []) },
      { name: labels.target, type: "line", data: numbers(data.target || []) },
    ],
  });
  draw("chart-seasonal", {
    grid: { left: 64, right: 56, top: 36, bottom: 48 },
    xAxis: { type: "category", data: data.months },
    yAxis: [{ type: "value" }, { type: "value", name: labels.index, splitLine: { show: false } }],
    series: [
      ...(data.years || []).map((year) => ({ name: year.name, type: "bar", data: numbers(year.data) })),
      { name: labels.index, type: "line", yAxisIndex: 1, data: numbers(data.index || []),
        markLine: { data: [{ yAxis: 100 }], symbol: "none" } },
    ],
  });
  // The other statistics: a row's figures as bars, stacked bars ("stack"), lines, or one pie.
  const statistic = data.series || [];
  const pie = statistic.find((series) => series.type === "pie");
  draw("chart-statistic", pie ? {
    tooltip: { trigger: "item" }, xAxis: { show: false }, yAxis: { show: false },
    // On a phone the slices' names stay in the legend and the tooltip, not around the pie.
    series: [{ name: pie.name, type: "pie", radius: ["35%", "65%"], top: 24,
               label: { show: !narrow }, labelLine: { show: !narrow },
               data: (data.names || []).map((name, i) => ({ name, value: Number(pie.data[i]) }))
                 .filter((item) => item.value > 0) }],
  } : {
    xAxis: { type: "category", data: data.names || [], axisLabel: { interval: 0, rotate: 30 } },
    yAxis: { type: "value" },
    series: statistic.map((series) => ({
      name: series.name, type: series.type === "stack" ? "bar" : series.type,
      stack: series.type === "stack" ? "total" : undefined, data: numbers(series.data) })),
  });
  // The dashboard's charts: a click on a bar or slice opens the rows behind it (its link).
  const linked = (id, option, links) => {
    draw(id, option);
    const chart = charts[charts.length - 1];
    if (chart && chart.getDom().id === id) {
      chart.on("click", (event) => { const link = links[event.dataIndex]; if (link) window.location.href = link; });
    }
  };
  const named = (items) => (items || []).map((item) => item.name);
  const values = (items) => (items || []).map((item) => Number(item.value));
  const links = (items) => (items || []).map((item) => item.link);
  linked("chart-dash-units", {
    xAxis: { type: "category", data: named(data.units), axisLabel: { interval: 0, rotate: narrow ? 30 : 0 } },
    yAxis: { type: "value" },
    series: [{ name: labels.net_sales, type: "bar", data: values(data.units) }],
  }, links(data.units));
  linked("chart-dash-trend", {
    xAxis: { type: "category", data: data.months },
    yAxis: { type: "value" },
    series: [
      { name: labels.net_sales, type: "bar", data: numbers(data.net_sales || []) },
      { name: labels.target, type: "line", data: numbers(data.target || []) },
    ],
  }, data.month_links || []);
  linked("chart-dash-products", {
    grid: { left: narrow ? 96 : 140, right: 16, top: 36, bottom: 24 },
    xAxis: { type: "value" },
    yAxis: { type: "category", inverse: true, data: named(data.products), axisLabel: { width: narrow ? 88 : 132, overflow: "truncate" } },
    series: [{ name: labels.net_sales, type: "bar", data: values(data.products) }],
  }, links(data.products));
  linked("chart-dash-ageing", {
    tooltip: { trigger: "item" }, xAxis: { show: false }, yAxis: { show: false },
    series: [{ name: labels.receivable, type: "pie", radius: ["35%", "65%"], top: 24,
               label: { show: !narrow }, labelLine: { show: !narrow },
               data: (data.ageing || []).map((item) => ({ name: item.name, value: Number(item.value) })) }],
  }, links(data.ageing));
  linked("chart-dash-managers", {
    xAxis: { type: "category", data: named(data.managers), axisLabel: { interval: 0, rotate: 30 } },
    yAxis: { type: "value", axisLabel: { formatter: "{value}%" } },
    series: [{ name: labels.completion, type: "bar", data: values(data.managers),
               markLine: { data: [{ yAxis: 100 }], symbol: "none" } }],
  }, links(data.managers));
  window.addEventListener("resize", () => charts.forEach((chart) => chart.resize()));
});
