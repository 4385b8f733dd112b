// The appraisal ranking's bars (ECharts, vendored): each appraisee's final score, from the
// page's JSON (json_script), scores as strings (Decimal), the label already translated.
document.addEventListener("DOMContentLoaded", () => {
  const source = document.getElementById("appraisal-chart-data");
  const element = document.getElementById("chart-ranking");
  if (!source || !element || !window.echarts) return;
  const data = JSON.parse(source.textContent);
  const chart = echarts.init(element);
  chart.setOption({
    tooltip: { trigger: "axis" },
    grid: { left: 48, right: 16, top: 24, bottom: 64 },
    xAxis: { type: "category", data: data.names, axisLabel: { interval: 0, rotate: 30 } },
    yAxis: { type: "value" },
    series: [{ name: data.label, type: "bar", data: data.scores.map(Number) }],
  });
  window.addEventListener("resize", () => chart.resize());
});
