// "@" in a composer offers the room's people and the teams, found by Thai or English name or
// nickname as in the directory; choosing one writes its handle (@sudarat.p), which the server turns
// into the person's name in each reader's language.
const candidates = JSON.parse(document.getElementById("mention-candidates")?.textContent || "[]");
const labels = JSON.parse(document.getElementById("chat-labels")?.textContent || "{}");
const MAX_SHOWN = 8;
const TYPED = /(?:^|[\s(])@([^\s@]{0,40})$/u; // "@" and what follows it, up to the caret

function attach(input) {
  const form = input.form;
  const list = document.createElement("ul");
  list.className = "mention-options";
  list.id = `${input.id}-mentions`;
  list.setAttribute("role", "listbox");
  list.setAttribute("aria-label", labels.mention_list || "");
  list.hidden = true;
  form.append(list);
  input.setAttribute("aria-controls", list.id);
  let shown = [];
  let active = 0;
  let start = -1; // where the "@" is

  function find() {
    const before = input.value.slice(0, input.selectionStart);
    const typed = TYPED.exec(before);
    if (!typed) return close();
    start = before.length - typed[1].length - 1;
    const words = typed[1].toLocaleLowerCase().split(/[\s.]+/).filter(Boolean);
    shown = candidates
      .filter((c) => words.every((word) => `${c.search} ${c.label}`.toLocaleLowerCase().includes(word)))
      .slice(0, MAX_SHOWN);
    if (!shown.length) return close();
    active = 0;
    draw();
  }

  function draw() {
    list.replaceChildren(
      ...shown.map((candidate, index) => {
        const item = document.createElement("li");
        item.id = `${list.id}-${index}`;
        item.setAttribute("role", "option");
        item.setAttribute("aria-selected", String(index === active));
        item.dataset.index = index;
        const name = document.createElement("span");
        name.textContent = candidate.label;
        const handle = document.createElement("span");
        handle.className = "mention-handle";
        handle.textContent = `@${candidate.handle}`;
        item.append(name, handle);
        return item;
      }),
    );
    list.hidden = false;
    input.setAttribute("aria-activedescendant", `${list.id}-${active}`);
  }

  function close() {
    list.hidden = true;
    shown = [];
    input.removeAttribute("aria-activedescendant");
  }

  function choose(candidate) {
    const end = input.selectionStart;
    const text = `@${candidate.handle} `;
    input.value = input.value.slice(0, start) + text + input.value.slice(end);
    input.selectionStart = input.selectionEnd = start + text.length;
    close();
    input.focus();
    input.dispatchEvent(new Event("input")); // typing notice, as if typed
  }

  input.addEventListener("input", find);
  input.addEventListener("click", find);
  input.addEventListener("blur", close);
  // Capture on the form: these keys belong to the list while it is open, not to sending.
  form.addEventListener(
    "keydown",
    (event) => {
      if (event.target !== input || list.hidden || event.isComposing) return;
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        active = (active + (event.key === "ArrowDown" ? 1 : -1) + shown.length) % shown.length;
        draw();
      } else if (event.key === "Enter" || event.key === "Tab") {
        choose(shown[active]);
      } else if (event.key === "Escape") {
        close();
      } else {
        return;
      }
      event.preventDefault();
      event.stopPropagation();
    },
    true,
  );
  list.addEventListener("mousedown", (event) => event.preventDefault()); // keep the focus in the composer
  list.addEventListener("click", (event) => {
    const item = event.target.closest("[data-index]");
    if (item) choose(shown[Number(item.dataset.index)]);
  });
}

if (candidates.length) {
  for (const id of ["composer-input", "thread-input"]) {
    const input = document.getElementById(id);
    if (input?.form) attach(input);
  }
}
