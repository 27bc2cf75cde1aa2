// The comments of a photo: the list with its "Show more" paging, inline editing, deleting,
// and the form for a new comment.
//
// Which controls a comment shows is the server's answer (can_edit, can_delete), never a copy
// of its rules here.

import { request } from "../api.js";
import { clearError, errorSlot, field, fill, h, showError, time, userLink } from "../dom.js";
import { isLoggedIn } from "../state.js";
import { deleteButton, loginHash } from "../ui.js";

const COMMENTS_PAGE = 100;

/** The comments card of a photo; `ready` settles once the first page is shown. */
export function commentsSection(photo) {
  const thread = newThread(photo);
  const section = h(
    "section",
    { class: "card", "aria-labelledby": "comments-title" },
    h("h2", { id: "comments-title" }, "Comments ", thread.count),
    thread.loadError,
    thread.list,
    thread.more,
  );
  thread.more.addEventListener("click", () => loadPage(thread).catch((err) => showError(thread.loadError, err)));
  section.append(
    isLoggedIn()
      ? newCommentForm(thread)
      : h("p", { class: "muted" }, h("a", { href: loginHash() }, "Log in"), " to comment."),
  );
  return { section, ready: loadPage(thread) };
}

/** What the pieces of one photo's comments share: its elements, the API path and the counts. */
function newThread(photo) {
  return {
    path: `photos/${encodeURIComponent(photo.id)}/comments`,
    list: h("ol", { class: "comments", "aria-label": "Comments" }),
    count: h("span", { class: "muted" }),
    more: h("button", { type: "button", class: "secondary", hidden: true }, "Show more comments"),
    loadError: errorSlot(),
    loaded: 0,
    total: 0,
  };
}

function setCount(thread) {
  thread.count.textContent = `(${thread.total})`;
}

function commentPath(thread, comment) {
  return `${thread.path}/${encodeURIComponent(comment.id)}`;
}

async function loadPage(thread) {
  const page = await request(thread.path, { query: { limit: COMMENTS_PAGE, offset: thread.loaded } });
  thread.total = page.total;
  thread.loaded += page.items.length;
  thread.list.append(...page.items.map((comment) => commentItem(thread, comment)));
  setCount(thread);
  thread.more.hidden = thread.loaded >= thread.total || page.items.length === 0;
}

/** One comment: shown with the controls the caller may use, or as its edit form. */
function commentItem(thread, comment) {
  const item = h("li", { class: "comment", id: `comment-${comment.id}` });
  const error = errorSlot();
  const show = () => {
    const actions = [
      comment.can_edit ? h("button", { type: "button", class: "secondary small", onclick: edit }, "Edit") : null,
      comment.can_delete ? commentDeleteButton(thread, comment, item, error) : null,
    ].filter(Boolean);
    fill(
      item,
      commentHead(comment),
      h("p", { class: "comment__text" }, comment.text),
      actions.length ? h("div", { class: "actions" }, actions) : null,
      error,
    );
  };
  const edit = () => {
    const form = editForm(thread, comment, error, show);
    item.replaceChildren(form);
    form.querySelector("textarea").focus();
  };
  show();
  return item;
}

function commentHead(comment) {
  return h(
    "p",
    { class: "comment__head" },
    userLink(comment.author.username),
    " ",
    time(comment.created_at),
    comment.updated_at !== comment.created_at ? h("span", { class: "muted" }, " (edited)") : null,
  );
}

function commentDeleteButton(thread, comment, item, error) {
  return deleteButton("comment", commentPath(thread, comment), {
    error,
    onDeleted: () => {
      item.remove();
      thread.total -= 1;
      thread.loaded -= 1;
      setCount(thread);
    },
  });
}

/** The inline form that changes a comment's text; `done` shows the comment again. */
function editForm(thread, comment, error, done) {
  const text = h("textarea", { rows: 3, maxlength: 1000, required: true });
  text.value = comment.text;
  const form = h(
    "form",
    { class: "stack", "aria-label": "Edit comment" },
    field("Edit your comment", text),
    error,
    h(
      "div",
      { class: "actions" },
      h("button", { type: "submit", class: "small" }, "Save comment"),
      h("button", { type: "button", class: "secondary small", onclick: done }, "Cancel"),
    ),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearError(error);
    try {
      const json = { text: text.value };
      Object.assign(comment, await request(commentPath(thread, comment), { method: "PUT", json }));
      done();
    } catch (err) {
      showError(error, err);
    }
  });
  return form;
}

function newCommentForm(thread) {
  const text = h("textarea", { rows: 3, maxlength: 1000, required: true });
  const error = errorSlot();
  const form = h(
    "form",
    { class: "stack comment-form", "aria-label": "New comment" },
    field("Add a comment", text),
    error,
    h("div", { class: "actions" }, h("button", { type: "submit" }, "Post comment")),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearError(error);
    const button = form.querySelector("button[type=submit]");
    button.disabled = true;
    try {
      const comment = await request(thread.path, { method: "POST", json: { text: text.value } });
      text.value = "";
      showPosted(thread, comment);
    } catch (err) {
      showError(error, err);
    } finally {
      button.disabled = false;
    }
  });
  return form;
}

function showPosted(thread, comment) {
  thread.total += 1;
  setCount(thread);
  // Comments are oldest first: a new one goes at the end once every page is shown.
  if (thread.loaded >= thread.total - 1) {
    thread.list.append(commentItem(thread, comment));
    thread.loaded += 1;
  } else {
    thread.more.hidden = false;
  }
}
