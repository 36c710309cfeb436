// The utilisation chart (Chart.js), drawn from the page's own table: the table is the accessible form of
// the same figures, and reading it here keeps the two from ever disagreeing. A count not shown in the table
// (fewer than 5) has no data-value and is left out of the chart too.
document.addEventListener('DOMContentLoaded', function () {
  var table = document.getElementById('utilisation-table');
  var canvas = document.getElementById('utilisation-chart');
  if (!table || !canvas || typeof Chart === 'undefined') {
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
  var labels = rows.map(function (tr) {
    return [tr.cells[0].firstElementChild.textContent.trim(), tr.cells[1].textContent.trim()];
  });
  // colours told apart without colour vision too (Okabe–Ito palette), each with a contrast of 3:1 or more on white
  var colours = {bought: '#0072B2', assigned: '#D55E00', used: '#009E73'};
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
  var reduce = window.matchMedia && window.matchMedia('(prefers-reduced-motion: reduce)').matches;
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
