// Search-as-you-type over a <select data-picker> of people: type part of a Thai or English name or a
// nickname, pick with the arrow keys and Enter (or a click). The select stays in the form, so the
// page posts what it would without this script; in a multiple select the chosen show as chips.
const MAX_SHOWN = 8;
let pickers = 0;

const words = (text) => text.toLocaleLowerCase().split(/\s+/).filter(Boolean);

export function enhance(select) {
  const n = ++pickers;
  const multiple = select.multiple;
  const input = document.createElement("input");
  input.type = "text";
  input.id = select.id; // the field's label now names the box one types in
  select.id = `${select.id}-options`;
  input.className = "picker-input";
  input.autocomplete = "off";
  input.placeholder = select.dataset.placeholder || "";
  input.setAttribute("role", "combobox");
  input.setAttribute("aria-autocomplete", "list");
  input.setAttribute("aria-expanded", "false");
  input.setAttribute("aria-controls", `picker-${n}`);
  const listbox = document.createElement("ul");
  listbox.id = `picker-${n}`;
  listbox.className = "picker-options";
  listbox.setAttribute("role", "listbox");
  listbox.hidden = true;
  const chips = document.createElement("ul");
  chips.className = "picker-chips";
  select.hidden = true;
  select.tabIndex = -1;
  // A hidden required select would block the form without a word: the box says it instead.
  const required = select.required;
  select.required = false;
  if (!multiple) select.value = "";
  select.after(...(multiple ? [chips] : []), input, listbox);
  let active = -1;

  const matches = () => {
    const wanted = words(input.value);
    if (!wanted.length) return [];
    return [...select.options].filter((option) => {
      if (!option.value || (multiple && option.selected)) return false;
      const text = `${option.dataset.search || ""} ${option.text}`.toLocaleLowerCase();
      return wanted.every((word) => text.includes(word));
    }).slice(0, MAX_SHOWN);
  };

  function show() {
    const found = matches();
    listbox.replaceChildren();
    active = found.length ? 0 : -1;
    found.forEach((option, index) => {
      const item = document.createElement("li");
      item.id = `picker-${n}-${index}`;
      item.setAttribute("role", "option");
      item.dataset.value = option.value;
      item.textContent = option.text;
      if (option.dataset.hint) {
        const hint = document.createElement("span");
        hint.className = "picker-hint";
        hint.textContent = option.dataset.hint;
        item.append(hint);
      }
      listbox.append(item);
    });
    if (!found.length && input.value.trim()) {
      const none = document.createElement("li");
      none.className = "picker-none";
      none.setAttribute("role", "option");
      none.setAttribute("aria-disabled", "true");
      none.textContent = select.dataset.none || "";
      listbox.append(none);
    }
    listbox.hidden = !listbox.children.length;
    input.setAttribute("aria-expanded", String(!listbox.hidden));
    highlight();
    if (!listbox.hidden) listbox.scrollIntoView({ block: "nearest" }); // a picker low in a sidebar
  }

  function highlight() {
    [...listbox.querySelectorAll("[data-value]")].forEach((item, index) => item.setAttribute("aria-selected", String(index === active)));
    const current = listbox.querySelectorAll("[data-value]")[active];
    if (current) input.setAttribute("aria-activedescendant", current.id);
    else input.removeAttribute("aria-activedescendant");
  }

  function close() {
    listbox.hidden = true;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
  }

  function choose(value) {
    const option = [...select.options].find((o) => o.value === value);
    if (!option) return;
    if (multiple) {
      option.selected = true;
      input.value = "";
      drawChips();
    } else {
      select.value = value;
      input.value = option.text;
    }
    input.setCustomValidity("");
    close();
    input.focus();
  }

  function drawChips() {
    chips.replaceChildren(...[...select.selectedOptions].map((option) => {
      const chip = document.createElement("li");
      chip.textContent = option.text;
      const remove = document.createElement("button");
      remove.type = "button";
      remove.textContent = "×";
      remove.setAttribute("aria-label", (select.dataset.remove || "%(name)s").replace("%(name)s", option.text));
      remove.addEventListener("click", () => {
        option.selected = false;
        drawChips();
        input.focus();
      });
      chip.append(remove);
      return chip;
    }));
  }

  input.addEventListener("input", () => {
    if (!multiple) select.value = ""; // typing again: nobody is chosen until one is picked
    show();
  });
  input.addEventListener("keydown", (event) => {
    const items = listbox.querySelectorAll("[data-value]");
    if (event.isComposing) return;
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      if (listbox.hidden) show();
      if (!items.length) return;
      event.preventDefault();
      active = (active + (event.key === "ArrowDown" ? 1 : -1) + items.length) % items.length;
      highlight();
    } else if (event.key === "Enter" && !listbox.hidden) {
      event.preventDefault();
      if (items[active]) choose(items[active].dataset.value);
    } else if (event.key === "Escape" && !listbox.hidden) {
      event.preventDefault();
      close();
    }
  });
  listbox.addEventListener("mousedown", (event) => event.preventDefault()); // keep the focus in the box
  listbox.addEventListener("click", (event) => {
    const item = event.target.closest("[data-value]");
    if (item) choose(item.dataset.value);
  });
  input.addEventListener("blur", close);
  select.form?.addEventListener("submit", (event) => {
    if (!required || select.value) return;
    event.preventDefault();
    input.setCustomValidity(select.dataset.required || "");
    input.reportValidity();
  });
  drawChips();
}

for (const select of document.querySelectorAll("select[data-picker]")) enhance(select);
