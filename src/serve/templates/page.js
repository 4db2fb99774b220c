// bpfpress serve: the page's only script. Forms work without it; with it,
// a file over the upload limit is refused before it is sent, and a form
// being worked on says so and cannot be sent twice.
document.addEventListener("submit", function (ev) {
  var form = ev.target;
  var inputs = form.querySelectorAll("input[type=file][data-max]");
  for (var i = 0; i < inputs.length; i++) {
    var max = Number(inputs[i].getAttribute("data-max")), total = 0;
    for (var j = 0; j < inputs[i].files.length; j++) total += inputs[i].files[j].size;
    if (max && total > max && !form.hasAttribute("data-no-precheck")) {
      ev.preventDefault();
      alert("These files are larger than this server accepts (" + Math.round(max / 1048576) + " MB in all).");
      return;
    }
  }
  var busy = form.getAttribute("data-busy");
  var button = form.querySelector("button[type=submit]");
  if (busy && button) {
    button.disabled = true;
    button.textContent = busy;
  }
});
