// Copy buttons: <button data-copy="ID"> copies the text of element ID.
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-copy]");
  if (!button) return;
  const source = document.getElementById(button.dataset.copy);
  if (!source || !navigator.clipboard) return;
  navigator.clipboard.writeText(source.textContent).then(() => {
    button.dataset.copied = "true";
    setTimeout(() => delete button.dataset.copied, 1500);
  });
});

// Buttons with data-confirm ask before their form is sent.
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-confirm]");
  if (button && !window.confirm(button.dataset.confirm)) event.preventDefault();
});

// After a submit with errors, the summary at the top takes the focus (the
// GOV.UK pattern): the person sees at once what to fix, and a link per
// error leads to its field. Also after htmx swaps the form.
function focusErrorSummary() {
  const summary = document.getElementById("error-summary");
  if (summary) {
    summary.focus();
    summary.scrollIntoView({ block: "start" });
  }
}
if (document.readyState === "loading") {
  document.addEventListener("DOMContentLoaded", focusErrorSummary);
} else {
  focusErrorSummary();
}
document.addEventListener("htmx:afterSwap", focusErrorSummary);
// A summary link puts the focus in its field, not only the view.
document.addEventListener("click", (event) => {
  const link = event.target.closest(".error-summary a[href^='#']");
  if (!link) return;
  const field = document.getElementById(decodeURIComponent(link.hash.slice(1)));
  if (field) {
    event.preventDefault();
    field.scrollIntoView({ block: "center" });
    field.focus();
  }
});

// Tabs ([data-tabs]): one panel shown at a time. Without this script every
// panel stays visible, one under the other.
for (const box of document.querySelectorAll("[data-tabs]")) {
  const tabs = [...box.querySelectorAll("[role=tab]")];
  const show = (chosen) => {
    for (const tab of tabs) {
      const selected = tab === chosen;
      tab.setAttribute("aria-selected", String(selected));
      tab.tabIndex = selected ? 0 : -1;
      document.getElementById(tab.getAttribute("aria-controls")).hidden = !selected;
    }
  };
  box.addEventListener("click", (event) => {
    const tab = event.target.closest("[role=tab]");
    if (tab) show(tab);
  });
  box.addEventListener("keydown", (event) => {
    const at = tabs.indexOf(document.activeElement);
    if (at < 0 || !["ArrowLeft", "ArrowRight"].includes(event.key)) return;
    const next = tabs[(at + (event.key === "ArrowRight" ? 1 : tabs.length - 1)) % tabs.length];
    show(next);
    next.focus();
  });
  show(tabs.find((t) => t.getAttribute("aria-selected") === "true") || tabs[0]);
}

// Times are sent in UTC (<time class="utc">2026-12-05 07:00:00 UTC</time>),
// which is what a page without scripts shows. Here they read in the
// browser's time zone, with the UTC time on hover.
function localTimes(root) {
  const format = new Intl.DateTimeFormat(document.documentElement.lang || undefined, {
    year: "numeric", month: "2-digit", day: "2-digit",
    hour: "2-digit", minute: "2-digit", second: "2-digit", timeZoneName: "short",
  });
  for (const element of root.querySelectorAll("time.utc:not([data-local])")) {
    const utc = element.textContent.trim();
    const iso = utc.replace(" UTC", "Z").replace(" ", "T");
    const when = new Date(iso);
    if (Number.isNaN(when.getTime())) continue;
    element.setAttribute("datetime", when.toISOString());
    element.title = utc;
    element.textContent = format.format(when);
    element.dataset.local = "true";
  }
}
if (document.readyState === "loading") {
  document.addEventListener("DOMContentLoaded", () => localTimes(document));
} else {
  localTimes(document);
}
document.addEventListener("htmx:afterSwap", (event) => localTimes(event.target));
