// The scheduling form: remove a chosen attendee, skip adding one twice, use a found free time,
// show the weekday choice only for weekly meetings and the series' end only for repeating ones.
const form = document.getElementById("meeting-form");
if (form) {
  form.addEventListener("click", (event) => {
    const remove = event.target.closest("[data-remove-row]");
    if (remove) {
      const row = remove.closest("li");
      const next = row.nextElementSibling?.querySelector("button") || document.getElementById("picker");
      row.remove();
      next?.focus();
      return;
    }
    const use = event.target.closest("[data-use-time]");
    if (use) {
      form.querySelector("#id_date").value = use.dataset.date;
      form.querySelector("#id_start_time").value = use.dataset.start;
      form.querySelector("#id_end_time").value = use.dataset.end;
      form.querySelector("#id_timezone").value = use.dataset.timezone; // the times are that zone's
      form.querySelector("#id_date").focus();
    }
  });
  // htmx would append a second row for someone already invited.
  document.body.addEventListener("htmx:beforeRequest", (event) => {
    const id = event.detail.elt?.dataset?.addPerson;
    if (id && form.querySelector(`#chosen [data-person="${id}"]`)) event.preventDefault();
  });
  const repeat = form.querySelector("#id_repeat");
  const weekdays = form.querySelector("#weekdays");
  const seriesEnd = form.querySelector("#series-end");
  const showWeekdays = () => {
    weekdays.hidden = repeat.value !== "weekly";
    seriesEnd.hidden = repeat.value === "";
  };
  repeat?.addEventListener("change", showWeekdays);
  if (repeat && weekdays) showWeekdays();
}
