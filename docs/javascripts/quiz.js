// The chapters' quizzes and the mock exam (dockercourse/tooling/quiz.py makes their questions; the site's hook
// puts them in the page as JSON). Everything runs in the page: no request leaves it, answers stay in localStorage.
(function () {
  "use strict";

  function element(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  // A question's text as the chapter writes it: `backticks` around code become <code>, the rest stays text.
  function inline(tag, className, text) {
    const node = element(tag, className);
    text.split("`").forEach(function (part, index) {
      node.appendChild(index % 2 ? element("code", "", part) : document.createTextNode(part));
    });
    return node;
  }

  function data(container) {
    return JSON.parse(container.querySelector("script[type='application/json']").textContent);
  }

  // One question: its text, the command for a predict question, its options as buttons, and a place for the verdict.
  function questionNode(question, number) {
    const item = element("li", "dc-question");
    item.dataset.id = question.id;
    item.dataset.domain = question.domain;
    item.appendChild(inline("p", "dc-asked", question.question));
    if (question.command) item.appendChild(element("pre", "dc-command")).appendChild(element("code", "", question.command));
    const options = item.appendChild(element("div", "dc-options"));
    options.setAttribute("role", "group");
    options.setAttribute("aria-label", "Answers to question " + number);
    question.options.forEach(function (option, index) {
      const button = options.appendChild(element("button", "dc-option"));
      button.type = "button";
      button.dataset.index = index;
      button.setAttribute("aria-pressed", "false");
      button.appendChild(question.command ? element("pre", "", option) : inline("span", "", option));
    });
    item.appendChild(element("div", "dc-verdict")).hidden = true;
    return item;
  }

  // Mark a question answered: the chosen option, the right one, and the explanation with its section's link.
  function showVerdict(item, question, chosen, readHref) {
    const right = chosen === question.answer;
    item.classList.add("dc-answered", right ? "dc-right" : "dc-wrong");
    item.querySelectorAll(".dc-option").forEach(function (button) {
      const index = Number(button.dataset.index);
      button.setAttribute("aria-disabled", "true");
      button.setAttribute("aria-pressed", String(index === chosen));
      if (index === question.answer) button.classList.add("dc-is-answer");
      if (index === chosen) button.classList.add("dc-is-chosen");
    });
    const verdict = item.querySelector(".dc-verdict");
    verdict.hidden = false;
    verdict.textContent = "";
    verdict.appendChild(element("strong", "", right ? "Right. " : "Not quite. "));
    verdict.appendChild(inline("span", "", question.explain + " "));
    const link = verdict.appendChild(inline("a", "", "Read: " + question.section_title));
    link.href = readHref;
  }

  function storageKey(chapter) { return "dockercourse-quiz-" + chapter; }

  function readAnswers(chapter) {
    try { return JSON.parse(localStorage.getItem(storageKey(chapter))) || {}; } catch (error) { return {}; }
  }

  // A chapter's quiz: answered once per question, scored as it goes, remembered in this browser until reset.
  function chapterQuiz(container) {
    const quiz = data(container);
    let answers = readAnswers(quiz.chapter);
    const score = container.appendChild(element("p", "dc-score"));
    score.setAttribute("aria-live", "polite");
    const list = container.appendChild(element("ol", "dc-questions"));
    const reset = container.appendChild(element("button", "md-button dc-reset", "Start the quiz again"));
    reset.type = "button";

    function render() {
      list.textContent = "";
      quiz.questions.forEach(function (question, number) {
        const item = list.appendChild(questionNode(question, number + 1));
        if (question.id in answers) showVerdict(item, question, answers[question.id], "#" + question.section);
        item.querySelectorAll(".dc-option").forEach(function (button) {
          button.addEventListener("click", function () {
            if (question.id in answers) return;
            answers[question.id] = Number(button.dataset.index);
            try { localStorage.setItem(storageKey(quiz.chapter), JSON.stringify(answers)); } catch (error) { /* private mode: scored, not kept */ }
            showVerdict(item, question, answers[question.id], "#" + question.section);
            updateScore();
          });
        });
      });
      updateScore();
    }

    function updateScore() {
      const answered = quiz.questions.filter(function (question) { return question.id in answers; });
      const right = answered.filter(function (question) { return answers[question.id] === question.answer; });
      score.textContent = "Score: " + right.length + " of " + quiz.questions.length + " right (" +
        answered.length + " answered)";
    }

    reset.addEventListener("click", function () {
      answers = {};
      try { localStorage.removeItem(storageKey(quiz.chapter)); } catch (error) { /* nothing was kept */ }
      render();
    });
    render();
  }

  function shuffled(items) {
    const copy = items.slice();
    for (let index = copy.length - 1; index > 0; index--) {
      const other = Math.floor(Math.random() * (index + 1));
      [copy[index], copy[other]] = [copy[other], copy[index]];
    }
    return copy;
  }

  // The exam's questions: each domain's share of the exam by its weight, drawn at random from that domain's pool.
  function draw(exam) {
    const drawn = [];
    Object.keys(exam.domains).forEach(function (domain) {
      const pool = exam.questions.filter(function (question) { return question.domain === domain; });
      drawn.push.apply(drawn, shuffled(pool).slice(0, exam.domains[domain].count));
    });
    return shuffled(drawn);
  }

  function clock(seconds) {
    const minutes = Math.floor(seconds / 60);
    const rest = seconds % 60;
    return minutes + ":" + (rest < 10 ? "0" : "") + rest;
  }

  // The mock exam: a countdown, answers unseen until the end, then the score by domain and what to re-read.
  function mockExam(container) {
    const exam = data(container);
    const start = container.appendChild(element("button", "md-button md-button--primary dc-start", "Start the exam"));
    start.type = "button";
    start.addEventListener("click", function () {
      start.remove();
      const questions = draw(exam);
      const chosen = {};
      const timer = container.appendChild(element("p", "dc-timer"));
      timer.setAttribute("role", "timer");
      const list = container.appendChild(element("ol", "dc-questions"));
      questions.forEach(function (question, number) {
        const item = list.appendChild(questionNode(question, number + 1));
        item.querySelectorAll(".dc-option").forEach(function (button) {
          button.addEventListener("click", function () {
            if (item.classList.contains("dc-answered")) return;
            chosen[question.id] = Number(button.dataset.index);
            item.querySelectorAll(".dc-option").forEach(function (other) {
              other.setAttribute("aria-pressed", String(other === button));
            });
          });
        });
      });
      const finish = container.appendChild(element("button", "md-button md-button--primary dc-finish", "Finish"));
      finish.type = "button";
      const ends = Date.now() + exam.minutes * 60 * 1000;
      let ticking = null;

      function tick() {
        const left = Math.max(0, Math.round((ends - Date.now()) / 1000));
        timer.textContent = "Time left: " + clock(left);
        if (left === 0) done("Time is up.");
      }

      function done(why) {
        clearInterval(ticking);
        finish.remove();
        timer.textContent = why;
        questions.forEach(function (question) {
          const item = list.querySelector("[data-id='" + question.id + "']");
          const answer = question.id in chosen ? chosen[question.id] : -1;
          showVerdict(item, question, answer, question.page + "#" + question.section);
        });
        container.insertBefore(results(exam, questions, chosen), list);
      }

      finish.addEventListener("click", function () { done("Finished."); });
      ticking = setInterval(tick, 1000);
      tick();
    });
  }

  // The score overall and by domain, each domain's wrong answers listed with the section to re-read.
  function results(exam, questions, chosen) {
    const box = element("div", "dc-results");
    const right = questions.filter(function (question) { return chosen[question.id] === question.answer; });
    box.appendChild(element("p", "dc-score", "Score: " + right.length + " of " + questions.length + " right (" +
      Math.round(100 * right.length / questions.length) + " %)"));
    const table = box.appendChild(element("table", "dc-domains"));
    const head = table.appendChild(element("tr"));
    ["Domain", "Right", "Re-read"].forEach(function (title) { head.appendChild(element("th", "", title)); });
    Object.keys(exam.domains).forEach(function (domain) {
      const asked = questions.filter(function (question) { return question.domain === domain; });
      if (!asked.length) return;
      const missed = asked.filter(function (question) { return chosen[question.id] !== question.answer; });
      const row = table.appendChild(element("tr"));
      row.dataset.domain = domain;
      row.appendChild(element("td", "", exam.domains[domain].title));
      row.appendChild(element("td", "", (asked.length - missed.length) + " of " + asked.length));
      const reread = row.appendChild(element("td"));
      missed.forEach(function (question, index) {
        if (index) reread.appendChild(document.createTextNode(" · "));
        const link = reread.appendChild(element("a", "", question.chapter_title + ": " + question.section_title));
        link.href = question.page + "#" + question.section;
      });
      if (!missed.length) reread.textContent = "—";
    });
    return box;
  }

  document.querySelectorAll(".dc-quiz").forEach(chapterQuiz);
  document.querySelectorAll(".dc-exam").forEach(mockExam);
})();
