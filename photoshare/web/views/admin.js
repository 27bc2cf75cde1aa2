// Administration: find accounts, change roles, ban and unban.

import { request } from "../api.js";
import { errorSlot, field, h, select, showError, time, userLink } from "../dom.js";
import { isAdmin, setMe, state } from "../state.js";
import { go, requireLogin } from "../ui.js";

const PAGE_SIZE = 20;
const ROLES = ["user", "moderator", "admin"];

function userRow(user) {
  const error = errorSlot();
  const status = h("span", { class: user.is_active ? "badge" : "badge badge--danger" });
  const role = select(ROLES, { value: user.role, "aria-label": `Role of ${user.username}` });
  const banButton = h("button", { type: "button", class: "small" });
  const item = h("li", { class: "card user-row" });

  const paint = () => {
    status.textContent = user.is_active ? "active" : "banned";
    status.className = user.is_active ? "badge" : "badge badge--danger";
    banButton.textContent = user.is_active ? "Ban" : "Unban";
    banButton.className = user.is_active ? "danger small" : "secondary small";
    banButton.setAttribute("aria-label", `${user.is_active ? "Ban" : "Unban"} ${user.username}`);
    role.value = user.role;
  };

  role.addEventListener("change", () => changeRole(user, role, error, paint));
  banButton.addEventListener("click", () => toggleBan(user, banButton, error, paint));

  paint();
  item.append(
    h(
      "div",
      { class: "user-row__who" },
      h("p", {}, userLink(user.username), " ", status, user.username === state.me.username ? h("span", { class: "muted" }, " (you)") : null),
      h("p", { class: "muted small url" }, user.email, user.email_confirmed ? " · confirmed" : " · not confirmed"),
      h("p", { class: "muted small" }, "Joined ", time(user.created_at, { withTime: false })),
    ),
    h("div", { class: "user-row__actions" }, role, banButton),
    error,
  );
  return item;
}

async function changeRole(user, role, error, paint) {
  error.hidden = true;
  role.disabled = true;
  try {
    const profile = await request(`users/${encodeURIComponent(user.username)}/role`, {
      method: "PATCH",
      json: { role: role.value },
    });
    user.role = profile.role;
    // Changing your own role changes what the album offers you.
    if (user.username === state.me.username) setMe({ ...state.me, role: profile.role });
    announce(`${user.username} is now ${profile.role === "admin" ? "an admin" : `a ${profile.role}`}.`);
  } catch (err) {
    showError(error, err);
  } finally {
    role.disabled = false;
    paint();
  }
}

async function toggleBan(user, banButton, error, paint) {
  error.hidden = true;
  banButton.disabled = true;
  const action = user.is_active ? "ban" : "unban";
  try {
    const profile = await request(`users/${encodeURIComponent(user.username)}/${action}`, { method: "POST" });
    user.is_active = profile.is_active;
    announce(`${user.username} is ${user.is_active ? "no longer banned" : "banned"}.`);
  } catch (err) {
    showError(error, err);
  } finally {
    banButton.disabled = false;
    paint();
  }
}

let announcer = null;
function announce(message) {
  if (announcer) announcer.textContent = message;
}

export async function adminView(root, { query }) {
  if (!requireLogin(root, "administer accounts")) return;
  if (!isAdmin()) {
    root.append(h("h1", {}, "Admins only"), h("p", {}, "This page is for administrators."));
    return;
  }
  const q = query.get("q") ?? "";
  const offset = Math.max(0, Number.parseInt(query.get("offset") ?? "0", 10) || 0);
  const search = h("input", { type: "search", name: "q", value: q });
  const form = h(
    "form",
    { class: "search card", role: "search", "aria-label": "User search" },
    h("div", { class: "search__main" }, field("Search users", search), h("button", { type: "submit" }, "Search")),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const params = new URLSearchParams();
    if (search.value.trim()) params.set("q", search.value.trim());
    go(params.size ? `#/admin?${params}` : "#/admin");
  });
  announcer = h("p", { class: "form-status", role: "status" });
  root.append(h("h1", {}, "Users"), form, announcer);

  const page = await request("users", { query: { q, limit: PAGE_SIZE, offset } });
  const list = h("ul", { class: "user-list", "aria-label": "Users" }, page.items.map(userRow));
  const pageHash = (start) => {
    const params = new URLSearchParams();
    if (q) params.set("q", q);
    if (start) params.set("offset", String(start));
    return params.size ? `#/admin?${params}` : "#/admin";
  };
  const last = Math.min(offset + page.items.length, page.total);
  root.append(
    h("p", { class: "muted" }, page.total ? `Users ${offset + 1} to ${last} of ${page.total}` : "No users match."),
    list,
    h(
      "nav",
      { class: "pager", "aria-label": "Pages of users" },
      offset > 0 ? h("a", { href: pageHash(Math.max(0, offset - PAGE_SIZE)), class: "button secondary" }, "Previous") : null,
      last < page.total ? h("a", { href: pageHash(offset + PAGE_SIZE), class: "button secondary" }, "Next") : null,
    ),
  );
}
