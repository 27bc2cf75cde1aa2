// Your account: profile details, avatar and password.

import { request, upload } from "../api.js";
import { avatar, clearError, errorSlot, field, h, showError, statusSlot, userLink } from "../dom.js";
import { setMe, state } from "../state.js";
import { requireLogin } from "../ui.js";

function detailsForm(me) {
  const fullName = h("input", { type: "text", maxlength: 100, value: me.full_name ?? "", autocomplete: "name" });
  const username = h("input", {
    type: "text",
    required: true,
    pattern: "[A-Za-z0-9_.\\-]{3,32}",
    value: me.username,
    autocomplete: "username",
  });
  const email = h("input", { type: "email", required: true, value: me.email, autocomplete: "email" });
  const bio = h("textarea", { rows: 4, maxlength: 500 });
  bio.value = me.bio ?? "";
  const error = errorSlot();
  const status = statusSlot();
  const form = h(
    "form",
    { class: "card stack", "aria-labelledby": "details-title" },
    h("h2", { id: "details-title" }, "Profile"),
    field("Full name", fullName),
    field("Username", username, { hint: "3 to 32 letters, digits, _ . or -" }),
    field("Email", email),
    field("Bio", bio),
    error,
    status,
    h("div", { class: "actions" }, h("button", { type: "submit" }, "Save profile")),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearError(error);
    status.textContent = "";
    const changes = {};
    if ((fullName.value || null) !== (state.me.full_name || null)) changes.full_name = fullName.value;
    if ((bio.value || null) !== (state.me.bio || null)) changes.bio = bio.value;
    if (username.value !== state.me.username) changes.username = username.value.trim();
    if (email.value !== state.me.email) changes.email = email.value.trim();
    if (!Object.keys(changes).length) {
      status.textContent = "Nothing to save.";
      return;
    }
    try {
      setMe(await request("users/me", { method: "PATCH", json: changes }));
      status.textContent = "Your profile was saved.";
    } catch (err) {
      showError(error, err);
    }
  });
  return form;
}

function avatarForm(me) {
  const current = h("div", { class: "avatar-current" }, avatar(me.avatar_url, me.username, "lg"));
  const file = h("input", { type: "file", accept: "image/*", required: true });
  const progress = h("progress", { max: 100, value: 0, hidden: true, "aria-label": "Avatar upload progress" });
  const error = errorSlot();
  const status = statusSlot();
  const form = h(
    "form",
    { class: "card stack", "aria-labelledby": "avatar-title" },
    h("h2", { id: "avatar-title" }, "Avatar"),
    current,
    field("New avatar", file, { hint: "Cropped to a square" }),
    progress,
    error,
    status,
    h("div", { class: "actions" }, h("button", { type: "submit" }, "Upload avatar")),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearError(error);
    status.textContent = "";
    const chosen = file.files?.[0];
    if (!chosen) {
      showError(error, "Choose an image first.");
      return;
    }
    const data = new FormData();
    data.append("file", chosen);
    progress.hidden = false;
    try {
      const me = await upload("users/me/avatar", data, {
        method: "PUT",
        onProgress: (fraction) => {
          progress.value = Math.round(fraction * 100);
        },
      });
      setMe(me);
      current.replaceChildren(avatar(me.avatar_url, me.username, "lg"));
      file.value = "";
      status.textContent = "Your new avatar is saved.";
    } catch (err) {
      showError(error, err);
    } finally {
      progress.hidden = true;
    }
  });
  return form;
}

function passwordForm() {
  const current = h("input", { type: "password", required: true, autocomplete: "current-password" });
  const next = h("input", { type: "password", required: true, minlength: 8, maxlength: 128, autocomplete: "new-password" });
  const error = errorSlot();
  const status = statusSlot();
  const form = h(
    "form",
    { class: "card stack", "aria-labelledby": "password-title" },
    h("h2", { id: "password-title" }, "Password"),
    field("Current password", current),
    field("New password", next, { hint: "8 to 128 characters" }),
    error,
    status,
    h("div", { class: "actions" }, h("button", { type: "submit" }, "Change password")),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearError(error);
    status.textContent = "";
    try {
      await request("users/me", {
        method: "PATCH",
        json: { password: next.value, current_password: current.value },
      });
      form.reset();
      status.textContent = "Your password was changed.";
    } catch (err) {
      showError(error, err);
    }
  });
  return form;
}

export async function meView(root) {
  if (!requireLogin(root, "see your account")) return;
  setMe(await request("users/me"));
  const me = state.me;
  root.append(
    h("h1", {}, "Your account"),
    h(
      "p",
      { class: "muted" },
      "Signed in as ",
      userLink(me.username),
      ` (${me.role}) · ${me.photos_count} ${me.photos_count === 1 ? "photo" : "photos"}`,
      me.email_confirmed ? "" : " · email not confirmed",
    ),
    h("p", {}, h("a", { href: "#/me/sessions" }, "Sessions"), ": the devices logged in to your account, and signing them out."),
    h("div", { class: "me-grid" }, detailsForm(me), h("div", { class: "stack" }, avatarForm(me), passwordForm())),
  );
}
