// The managers' dashboard: draws its charts (Chart.js, vendored) and keeps the "now" counts live
// as presence events arrive (the rows themselves follow presence through presence.js).
import { hub } from "./hub.js";

const COLOURS = ["#24408c", "#c99a2e", "#1b6e45", "#b4441b"];
const FONT = { family: '"Sarabun", "Noto Sans Thai", Tahoma, sans-serif', size: 13 };

function draw() {
  const dataElement = document.getElementById("dashboard-charts");
  if (!dataElement || !window.Chart) return;
  const data = JSON.parse(dataElement.textContent);
  window.Chart.defaults.font = FONT;
  window.Chart.defaults.color = "#1c2333";
  const reduced = window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  const days = document.getElementById("chart-days");
  if (days) {
    days.chart = new window.Chart(days, {
      type: "line",
      data: {
        labels: data.days,
        datasets: data.series.map((series, index) => ({
          label: series.label,
          data: series.values,
          borderColor: COLOURS[index],
          backgroundColor: COLOURS[index],
          tension: 0.25,
          pointRadius: data.days.length > 31 ? 0 : 3,
        })),
      },
      options: {
        animation: reduced ? false : undefined,
        maintainAspectRatio: false,
        interaction: { mode: "index", intersect: false },
        scales: { y: { beginAtZero: true, ticks: { precision: 0 } } },
      },
    });
  }
  const people = document.getElementById("chart-people");
  if (people) {
    // A bar's height per person (set here: the page's policy allows no inline style attribute).
    const box = people.parentElement;
    box.style.height = `${Math.min(1400, 90 + Number(box.dataset.bars || 5) * 30)}px`;
    people.chart = new window.Chart(people, {
      type: "bar",
      data: {
        labels: data.people,
        datasets: data.per_person.map((series, index) => ({
          label: series.label,
          data: series.values,
          backgroundColor: COLOURS[index],
        })),
      },
      options: {
        animation: reduced ? false : undefined,
        indexAxis: "y",
        maintainAspectRatio: false,
        scales: {
          x: { beginAtZero: true, ticks: { precision: 0 } },
          // On a phone a long Thai name would push the bars off the canvas: shorten it there
          // (the table below has it whole).
          y: {
            ticks: {
              callback(value) {
                const label = this.getLabelForValue(value);
                return window.innerWidth < 600 && label.length > 14 ? `${label.slice(0, 13)}…` : label;
              },
            },
          },
        },
      },
    });
  }
  document.body.dataset.chartsDrawn = "true";
}

// Recount the "now" figures from the table's rows (one a person).
function recount() {
  const counts = {};
  for (const element of document.querySelectorAll(".dash-table [data-status]")) {
    counts[element.dataset.status] = (counts[element.dataset.status] || 0) + 1;
  }
  for (const stat of document.querySelectorAll("[data-count-status]")) {
    stat.querySelector(".stat-value").textContent = counts[stat.dataset.countStatus] || 0;
  }
}

hub.on("presence", () => queueMicrotask(recount));
if (document.readyState === "loading") {
  document.addEventListener("DOMContentLoaded", draw);
} else {
  draw();
}
