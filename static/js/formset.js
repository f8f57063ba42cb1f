// Adds a row to a Django formset: clones the hidden empty form, renumbering __prefix__.
// Served locally (no CDN). Used by the project form's KPI, activity and budget tables.
document.addEventListener("click", function (event) {
  const button = event.target.closest("[data-formset-add]");
  if (!button) return;
  event.preventDefault();
  const prefix = button.dataset.formsetAdd;
  const total = document.getElementById("id_" + prefix + "-TOTAL_FORMS");
  const template = document.getElementById(prefix + "-empty");
  const body = document.getElementById(prefix + "-rows");
  const index = parseInt(total.value, 10);
  const row = template.content.firstElementChild.cloneNode(true);
  row.innerHTML = row.innerHTML.replaceAll("__prefix__", String(index));
  body.appendChild(row);
  total.value = String(index + 1);
  const first = row.querySelector("input:not([type=hidden]), select, textarea");
  if (first) first.focus();
});
