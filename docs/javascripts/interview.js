// The interview page's practice mode (docs/interview.md's <div class="dc-practice">). On, each answer stays hidden
// until the reader has written one of their own; then they mark whether they knew it, and a tally counts the
// marks. The mode and the marks stay in this browser (localStorage); no request leaves the page. Off, each question
// opens on a click, as the theme makes it. The site has no instant navigation (mkdocs.yml's features), so the
// script runs once per page load, as quiz.js does.
(function () {
  "use strict";

  const MODE_KEY = "dockercourse-interview-practice";
  const MARKS_KEY = "dockercourse-interview-marks";
  const MARKS = [["knew", "I knew it"], ["missed", "I did not"]];

  function element(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function stored(key, otherwise) {
    try { return JSON.parse(localStorage.getItem(key)) || otherwise; } catch (error) { return otherwise; }
  }

  function store(key, value) {
    try {
      if (value) localStorage.setItem(key, JSON.stringify(value)); else localStorage.removeItem(key);
    } catch (error) { /* private mode: kept for this visit only */ }
  }

  // A question's name in the marks: its text, as the page shows it.
  function questionKey(details) { return details.querySelector("summary").textContent.trim(); }

  // What the answer is: everything in the question's <details> but the question and what practice mode adds.
  function answerParts(details) {
    return Array.from(details.children).filter(function (child) {
      return !child.matches("summary, .dc-attempt, .dc-marks");
    });
  }

  function practice(container) {
    const questions = Array.from(document.querySelectorAll("article details.question"));
    let marks = stored(MARKS_KEY, {});

    const switchLine = container.appendChild(element("p", "dc-practice-switch"));
    const toggle = switchLine.appendChild(element("input"));
    toggle.type = "checkbox";
    toggle.id = "dc-practice-mode";
    switchLine.appendChild(element("label", "", "Practice mode")).htmlFor = toggle.id;
    const status = container.appendChild(element("div", "dc-practice-status"));
    const tally = status.appendChild(element("p", "dc-score dc-tally"));
    tally.setAttribute("aria-live", "polite");
    const reset = status.appendChild(element("button", "md-button dc-reset", "Start the practice again"));
    reset.type = "button";

    function updateTally() {
      const answered = questions.filter(function (details) { return questionKey(details) in marks; });
      const known = answered.filter(function (details) { return marks[questionKey(details)] === "knew"; });
      tally.textContent = answered.length + " of " + questions.length + " answered, " + known.length + " known";
    }

    function showMark(details) {
      const mark = marks[questionKey(details)];
      details.classList.toggle("dc-right", mark === "knew");
      details.classList.toggle("dc-wrong", mark === "missed");
      details.querySelectorAll(".dc-mark").forEach(function (button) {
        button.setAttribute("aria-pressed", String(button.dataset.mark === mark));
      });
    }

    function reveal(details) {
      details.classList.add("dc-revealed");
      details.querySelector(".dc-show").hidden = true;
      details.querySelector(".dc-marks").hidden = false;
    }

    // A question in practice mode: a box for the reader's answer and the button that shows the real one (usable
    // once something is typed) after the question; after the answer, the buttons that mark it.
    function practise(details, index) {
      details.classList.add("dc-practising");
      const attempt = element("div", "dc-attempt");
      const label = attempt.appendChild(element("label", "", "Your answer"));
      const typed = attempt.appendChild(element("textarea", "dc-typed"));
      typed.id = "dc-answer-" + (index + 1);
      typed.rows = 3;
      label.htmlFor = typed.id;
      const show = attempt.appendChild(element("button", "dc-option dc-show", "Show the answer"));
      show.type = "button";
      show.disabled = true;
      details.querySelector("summary").after(attempt);
      const judged = details.appendChild(element("div", "dc-marks"));
      judged.setAttribute("role", "group");
      judged.setAttribute("aria-label", "Did you know it?");
      judged.hidden = true;
      MARKS.forEach(function (pair) {
        const button = judged.appendChild(element("button", "dc-option dc-mark", pair[1]));
        button.type = "button";
        button.dataset.mark = pair[0];
        button.addEventListener("click", function () {
          marks[questionKey(details)] = pair[0];
          store(MARKS_KEY, marks);
          showMark(details);
          updateTally();
        });
      });
      typed.addEventListener("input", function () { show.disabled = !typed.value.trim(); });
      show.addEventListener("click", function () {
        reveal(details);
        const first = answerParts(details)[0];
        first.setAttribute("tabindex", "-1");
        first.focus();
      });
      if (questionKey(details) in marks) reveal(details);
      showMark(details);
    }

    // A question as the theme made it: what practice mode added, gone.
    function restore(details) {
      details.classList.remove("dc-practising", "dc-revealed", "dc-right", "dc-wrong");
      details.querySelectorAll(".dc-attempt, .dc-marks").forEach(function (added) { added.remove(); });
      answerParts(details).forEach(function (part) { part.removeAttribute("tabindex"); });
    }

    function setMode(on) {
      toggle.checked = on;
      status.hidden = !on;
      questions.forEach(restore);
      if (on) questions.forEach(practise);
      store(MODE_KEY, on);
      updateTally();
    }

    toggle.addEventListener("change", function () { setMode(toggle.checked); });
    reset.addEventListener("click", function () {
      marks = {};
      store(MARKS_KEY, null);
      setMode(true);
    });
    setMode(stored(MODE_KEY, false) === true);
  }

  document.querySelectorAll(".dc-practice").forEach(practice);
})();
