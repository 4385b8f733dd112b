// The service analysis' charts (ECharts, vendored): tickets per month by kind, complaints by
// cause. The figures come from the page's JSON (json_script), the text is already translated.
document.addEventListener("DOMContentLoaded", () => {
  const source = document.getElementById("ticket-chart-data");
  if (!source || !window.echarts) return;
  const data = JSON.parse(source.textContent);
  const charts = [];
  const monthly = document.getElementById("chart-monthly");
  if (monthly) {
    const chart = echarts.init(monthly);
    chart.setOption({
      tooltip: { trigger: "axis" },
      legend: { top: 0 },
      grid: { left: 40, right: 16, top: 40, bottom: 30 },
      xAxis: { type: "category", data: data.months },
      yAxis: { type: "value", minInterval: 1 },
      series: data.kinds.map((kind) => ({ name: kind.name, type: "bar", stack: "all", data: kind.data })),
    });
    charts.push(chart);
  }
  const causes = document.getElementById("chart-causes");
  if (causes && data.causes.length) {
    const chart = echarts.init(causes);
    chart.setOption({
      tooltip: { trigger: "item" },
      series: [{ type: "pie", radius: ["35%", "65%"], data: data.causes,
                 label: { formatter: "{b} {c}" } }],
    });
    charts.push(chart);
  }
  window.addEventListener("resize", () => charts.forEach((chart) => chart.resize()));
});
