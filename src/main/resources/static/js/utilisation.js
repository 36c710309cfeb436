// The utilisation charts (Chart.js), each drawn from the table that names it (data-chart: the canvas's id): the
// table is the accessible form of the same figures, and reading it here keeps the two from ever disagreeing. A
// count not shown in a table (fewer than 5) has no data-value and is left out of the chart too.
document.addEventListener('DOMContentLoaded', function () {
  if (typeof Chart === 'undefined') {
    return;
  }
  // colours told apart without colour vision too (Okabe–Ito palette), each with a contrast of 3:1 or more on white
  var colours = {bought: '#0072B2', assigned: '#D55E00', used: '#009E73'};
  var reduce = window.matchMedia && window.matchMedia('(prefers-reduced-motion: reduce)').matches;
  Array.prototype.forEach.call(document.querySelectorAll('table[data-chart]'), function (table) {
    var canvas = document.getElementById(table.dataset.chart);
    if (!canvas) {
      return;
    }
    var heads = Array.prototype.slice.call(table.tHead.rows[0].cells);
    var series = [];
    heads.forEach(function (th, i) {
      if (th.dataset.series) {
        series.push({index: i, name: th.dataset.series, label: th.textContent.trim()});
      }
    });
    var rows = Array.prototype.slice.call(table.tBodies[0].rows);
    // a row's label: its cells marked data-label (product and organisation, or product and term), one line each
    var labels = rows.map(function (tr) {
      return Array.prototype.map.call(tr.querySelectorAll('[data-label]'), function (cell) {
        return cell.textContent.trim();
      });
    });
    var datasets = series.map(function (s) {
      return {
        label: s.label,
        backgroundColor: colours[s.name],
        data: rows.map(function (tr) {
          var v = tr.cells[s.index].dataset.value;
          return v === undefined || v === '' ? null : Number(v);
        })
      };
    });
    new Chart(canvas, {
      type: 'bar',
      data: {labels: labels, datasets: datasets},
      options: {
        // numbers written as the page's language writes them, not the browser's
        locale: document.documentElement.lang || undefined,
        animation: reduce ? false : {duration: 300},
        maintainAspectRatio: false,
        scales: {y: {beginAtZero: true, ticks: {precision: 0}}},
        plugins: {legend: {position: 'bottom'}}
      }
    });
  });
});
