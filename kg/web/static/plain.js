// Without the vendored editor: example buttons fill the plain form's textarea.
document.querySelectorAll("button.example").forEach(function (button) {
  button.addEventListener("click", function () {
    document.querySelector("#plain-editor textarea").value = button.dataset.query;
  });
});
