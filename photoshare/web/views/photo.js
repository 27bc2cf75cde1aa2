// One photo: the image, its details, rating, comments, editing and share links.

import { request } from "../api.js";
import {
  clearError,
  confirmButton,
  errorSlot,
  field,
  fill,
  h,
  safeUrl,
  showError,
  stars,
  tagChips,
  time,
  userLink,
} from "../dom.js";
import { isAdmin, isLoggedIn, isStaff, state } from "../state.js";
import { go, loginHash } from "../ui.js";
import { linksSection } from "./links.js";

const COMMENTS_PAGE = 100;

export function parseTags(text) {
  return text
    .split(",")
    .map((tag) => tag.trim())
    .filter(Boolean);
}

function detailsSection(photo, refresh) {
  const body = h("div", { class: "stack" });
  const section = h(
    "section",
    { class: "card photo-details", "aria-labelledby": "photo-title" },
    h("h1", { id: "photo-title" }, `Photo by ${photo.owner.username}`),
    body,
  );
  const canEdit = isLoggedIn() && (state.me.username === photo.owner.username || isAdmin());
  const render = () => {
    fill(
      body,
      photo.description
        ? h("p", { class: "photo-description" }, photo.description)
        : h("p", { class: "muted" }, "No description."),
      photo.tags.length ? tagChips(photo.tags) : null,
      h(
        "p",
        { class: "muted photo-meta" },
        "Uploaded by ",
        userLink(photo.owner.username),
        " on ",
        time(photo.created_at),
        photo.updated_at !== photo.created_at ? h("span", {}, " · edited ", time(photo.updated_at)) : null,
      ),
      h(
        "p",
        { class: "muted photo-meta" },
        `${photo.width} × ${photo.height} px · ${photo.format.toUpperCase()} · ${formatBytes(photo.bytes)}`,
      ),
      canEdit ? ownerActions() : null,
    );
  };

  const ownerActions = () => {
    const error = errorSlot();
    const edit = h("button", { type: "button", class: "secondary" }, "Edit photo");
    edit.addEventListener("click", () => body.replaceChildren(editForm()));
    const remove = confirmButton("Delete photo", {
      question: "Delete this photo, its comments and links?",
      confirmLabel: "Yes, delete the photo",
      onConfirm: async () => {
        try {
          await request(`photos/${encodeURIComponent(photo.id)}`, { method: "DELETE" });
          go("#/", { notice: "The photo was deleted." });
        } catch (err) {
          showError(error, err);
        }
      },
    });
    return h("div", { class: "actions" }, edit, remove, error);
  };

  const editForm = () => {
    const description = h("textarea", { rows: 4, maxlength: 2000 });
    description.value = photo.description;
    const tags = h("input", { type: "text", value: photo.tags.join(", "), autocomplete: "off" });
    const error = errorSlot();
    const form = h(
      "form",
      { class: "stack", "aria-label": "Edit photo" },
      h("h2", {}, "Edit photo"),
      field("Description", description),
      field("Tags", tags, { hint: "Up to 5, separated by commas" }),
      error,
      h(
        "div",
        { class: "actions" },
        h("button", { type: "submit" }, "Save changes"),
        h("button", { type: "button", class: "secondary", onclick: render }, "Cancel"),
      ),
    );
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      clearError(error);
      try {
        const updated = await request(`photos/${encodeURIComponent(photo.id)}`, {
          method: "PUT",
          json: { description: description.value, tags: parseTags(tags.value) },
        });
        Object.assign(photo, updated);
        refresh(photo);
        render();
      } catch (err) {
        showError(error, err);
      }
    });
    queueMicrotask(() => description.focus());
    return form;
  };

  render();
  return section;
}

function formatBytes(bytes) {
  if (bytes >= 1_048_576) return `${(bytes / 1_048_576).toFixed(1)} MB`;
  if (bytes >= 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${bytes} bytes`;
}

function ratingSection(photo) {
  const summary = h("p", { class: "rating-summary" }, stars(photo.rating));
  const section = h(
    "section",
    { class: "card", "aria-labelledby": "rating-title" },
    h("h2", { id: "rating-title" }, "Rating"),
    summary,
  );
  if (!isLoggedIn()) {
    section.append(h("p", { class: "muted" }, h("a", { href: loginHash() }, "Log in"), " to rate this photo."));
    return section;
  }
  if (state.me.username === photo.owner.username) {
    section.append(h("p", { class: "muted" }, "This is your photo, so you cannot rate it."));
    return section;
  }
  const error = errorSlot();
  const message = h("p", { class: "form-status", role: "status" });
  const buttons = [1, 2, 3, 4, 5].map((value) =>
    h(
      "button",
      {
        type: "button",
        class: "star-button",
        "aria-label": `Rate ${value} ${value === 1 ? "star" : "stars"}`,
        title: `${value} ${value === 1 ? "star" : "stars"}`,
      },
      `${value}★`,
    ),
  );
  buttons.forEach((button, index) => {
    button.addEventListener("click", async () => {
      clearError(error);
      buttons.forEach((b) => (b.disabled = true));
      try {
        const rating = await request(`photos/${encodeURIComponent(photo.id)}/ratings`, {
          method: "POST",
          json: { stars: index + 1 },
        });
        photo.rating = rating;
        summary.replaceChildren(stars(rating));
        message.textContent = `Thanks, you rated this photo ${index + 1} of 5.`;
      } catch (err) {
        showError(error, err);
        buttons.forEach((b) => (b.disabled = false));
      }
    });
  });
  section.append(
    h("div", { class: "star-buttons", role: "group", "aria-label": "Your rating" }, buttons),
    message,
    error,
  );
  return section;
}

function commentsSection(photo) {
  const list = h("ol", { class: "comments", "aria-label": "Comments" });
  const count = h("span", { class: "muted" });
  const more = h("button", { type: "button", class: "secondary", hidden: true }, "Show more comments");
  const loadError = errorSlot();
  const section = h(
    "section",
    { class: "card", "aria-labelledby": "comments-title" },
    h("h2", { id: "comments-title" }, "Comments ", count),
    loadError,
    list,
    more,
  );
  let loaded = 0;
  let total = 0;
  const path = `photos/${encodeURIComponent(photo.id)}/comments`;

  const setCount = () => {
    count.textContent = `(${total})`;
  };

  const commentItem = (comment) => {
    const item = h("li", { class: "comment", id: `comment-${comment.id}` });
    const error = errorSlot();
    const show = () => {
      const mine = isLoggedIn() && state.me.username === comment.author.username;
      const actions = [];
      if (mine) {
        actions.push(h("button", { type: "button", class: "secondary small", onclick: edit }, "Edit"));
      }
      if (isStaff()) {
        actions.push(
          confirmButton("Delete", {
            question: "Delete this comment?",
            confirmLabel: "Yes, delete the comment",
            className: "danger small",
            onConfirm: async () => {
              try {
                await request(`${path}/${encodeURIComponent(comment.id)}`, { method: "DELETE" });
                item.remove();
                total -= 1;
                loaded -= 1;
                setCount();
              } catch (err) {
                showError(error, err);
              }
            },
          }),
        );
      }
      fill(
        item,
        h(
          "p",
          { class: "comment__head" },
          userLink(comment.author.username),
          " ",
          time(comment.created_at),
          comment.updated_at !== comment.created_at ? h("span", { class: "muted" }, " (edited)") : null,
        ),
        h("p", { class: "comment__text" }, comment.text),
        actions.length ? h("div", { class: "actions" }, actions) : null,
        error,
      );
    };
    const edit = () => {
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
          h("button", { type: "button", class: "secondary small", onclick: show }, "Cancel"),
        ),
      );
      form.addEventListener("submit", async (event) => {
        event.preventDefault();
        clearError(error);
        try {
          Object.assign(
            comment,
            await request(`${path}/${encodeURIComponent(comment.id)}`, {
              method: "PUT",
              json: { text: text.value },
            }),
          );
          show();
        } catch (err) {
          showError(error, err);
        }
      });
      item.replaceChildren(form);
      text.focus();
    };
    show();
    return item;
  };

  const loadPage = async () => {
    const page = await request(path, { query: { limit: COMMENTS_PAGE, offset: loaded } });
    total = page.total;
    loaded += page.items.length;
    list.append(...page.items.map(commentItem));
    setCount();
    more.hidden = loaded >= total || page.items.length === 0;
  };
  more.addEventListener("click", () => loadPage().catch((err) => showError(loadError, err)));

  if (isLoggedIn()) {
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
        const comment = await request(path, { method: "POST", json: { text: text.value } });
        text.value = "";
        total += 1;
        setCount();
        // Comments are oldest first: a new one goes at the end once every page is shown.
        if (loaded >= total - 1) {
          list.append(commentItem(comment));
          loaded += 1;
        } else {
          more.hidden = false;
        }
      } catch (err) {
        showError(error, err);
      } finally {
        button.disabled = false;
      }
    });
    section.append(form);
  } else {
    section.append(h("p", { class: "muted" }, h("a", { href: loginHash() }, "Log in"), " to comment."));
  }
  return { section, ready: loadPage() };
}

export async function photoView(root, { params: [photoId] }) {
  const photo = await request(`photos/${encodeURIComponent(photoId)}`);
  const image = h("img", {
    src: safeUrl(photo.url),
    alt: photo.description ? photo.description.slice(0, 140) : `Photo by ${photo.owner.username}`,
    width: photo.width,
    height: photo.height,
  });
  const details = detailsSection(photo, () => {
    image.alt = photo.description ? photo.description.slice(0, 140) : `Photo by ${photo.owner.username}`;
  });
  const comments = commentsSection(photo);
  root.append(
    h("p", { class: "back" }, h("a", { href: "#/" }, "← All photos")),
    h(
      "article",
      { class: "photo-page" },
      h("figure", { class: "photo-figure" }, h("a", { href: safeUrl(photo.url), title: "Open the full image" }, image)),
      h("div", { class: "photo-side" }, details, ratingSection(photo)),
      h("div", { class: "photo-main" }, comments.section),
      h("div", { class: "photo-links" }, linksSection(photo)),
    ),
  );
  await comments.ready;
}
