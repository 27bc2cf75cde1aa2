// The album's entry point: hash routing, the navigation bar and the session lifecycle.

import { logout, sessionEvents } from "./api.js";
import { avatar, h } from "./dom.js";
import { isAdmin, isLoggedIn, loadMe, state, stateEvents } from "./state.js";
import { currentHash, go, loginHash, resetMessages, showAlert } from "./ui.js";
import { adminView } from "./views/admin.js";
import { albumView } from "./views/album.js";
import { albumsView } from "./views/albums.js";
import { loginView, signupView } from "./views/auth.js";
import { feedView } from "./views/feed.js";
import { meView } from "./views/me.js";
import { myLinksView } from "./views/my_links.js";
import { photoView } from "./views/photo.js";
import { profileView } from "./views/profile.js";
import { forgotView, resetView } from "./views/recovery.js";
import { sessionsView } from "./views/sessions.js";
import { uploadView } from "./views/upload.js";

const routes = [
  { pattern: /^\/$/, view: feedView, nav: "feed" },
  { pattern: /^\/photo\/([^/]+)$/, view: photoView },
  { pattern: /^\/user\/([^/]+)$/, view: profileView },
  { pattern: /^\/albums$/, view: albumsView, nav: "albums" },
  { pattern: /^\/album\/([^/]+)$/, view: albumView, nav: "albums" },
  { pattern: /^\/links$/, view: myLinksView, nav: "links" },
  { pattern: /^\/me$/, view: meView, nav: "me" },
  { pattern: /^\/me\/sessions$/, view: sessionsView, nav: "me" },
  { pattern: /^\/upload$/, view: uploadView, nav: "upload" },
  { pattern: /^\/admin$/, view: adminView, nav: "admin" },
  { pattern: /^\/login$/, view: loginView, nav: "login" },
  { pattern: /^\/signup$/, view: signupView, nav: "signup" },
  { pattern: /^\/forgot$/, view: forgotView, nav: "login" },
  { pattern: /^\/reset$/, view: resetView, nav: "login" },
];

function parseHash() {
  const raw = location.hash.replace(/^#/, "") || "/";
  const mark = raw.indexOf("?");
  const path = mark === -1 ? raw : raw.slice(0, mark);
  const search = mark === -1 ? "" : raw.slice(mark + 1);
  return { path: path || "/", query: new URLSearchParams(search) };
}

let activeNav = null;

function renderNav(active = activeNav) {
  activeNav = active;
  const item = (key, href, ...content) =>
    h("li", {}, h("a", { href, "aria-current": key === active ? "page" : null }, ...content));
  const items = [item("feed", "#/", "Photos")];
  if (isLoggedIn()) {
    items.push(
      item("upload", "#/upload", "Upload"),
      item("albums", "#/albums", "Albums"),
      item("links", "#/links", "My links"),
    );
    if (isAdmin()) items.push(item("admin", "#/admin", "Admin"));
    items.push(
      item("me", "#/me", avatar(state.me.avatar_url, state.me.username, "sm"), state.me.username),
      h("li", {}, h("button", { type: "button", class: "link-button", onclick: onLogout }, "Log out")),
    );
  } else {
    items.push(item("login", "#/login", "Log in"), item("signup", "#/signup", "Sign up"));
  }
  document.getElementById("site-nav").replaceChildren(h("ul", {}, items));
}

async function onLogout() {
  await logout();
  state.me = null;
  go("#/", { notice: "You are logged out." });
}

let renderCount = 0;

async function render() {
  const ticket = ++renderCount;
  const { path, query } = parseHash();
  resetMessages();
  const container = h("div", { class: "view" });
  const main = document.getElementById("view");
  main.replaceChildren(container);

  let route = null;
  let params = [];
  for (const candidate of routes) {
    const match = candidate.pattern.exec(path);
    if (match) {
      route = candidate;
      params = match.slice(1).map((part) => decodeURIComponent(part));
      break;
    }
  }
  renderNav(route?.nav ?? null);
  if (!route) {
    container.append(
      h("h1", {}, "Page not found"),
      h("p", {}, h("a", { href: "#/" }, "Back to the photos")),
    );
    return;
  }
  try {
    await route.view(container, { params, query });
  } catch (error) {
    if (ticket !== renderCount) return;
    showAlert(error);
    if (!container.querySelector("h1")) {
      container.replaceChildren(
        h("h1", {}, error.status === 404 ? "Not found" : "Something went wrong"),
        h("p", {}, h("a", { href: "#/" }, "Back to the photos")),
      );
    }
  }
  if (ticket !== renderCount) return;
  const heading = container.querySelector("h1");
  document.title = heading ? `${heading.textContent} · PhotoShare` : "PhotoShare";
  if (started) {
    // A new page starts at its top, and keyboard and screen reader users start at its title.
    window.scrollTo(0, 0);
    if (heading) {
      heading.setAttribute("tabindex", "-1");
      heading.focus({ preventScroll: true });
    }
  }
  started = true;
}

let started = false;

stateEvents.addEventListener("me", () => renderNav());

let booting = true;

sessionEvents.addEventListener("ended", (event) => {
  // A session that expired while the tab was closed just ends; the page still shows.
  if (booting) return;
  const wasLoggedIn = isLoggedIn();
  state.me = null;
  const notice =
    event.detail.reason === "expired" || wasLoggedIn
      ? "Your session has ended; please log in again."
      : "Please log in first.";
  go(loginHash(currentHash()), { notice });
});

async function start() {
  try {
    await loadMe();
  } catch (error) {
    if (error.status !== 401) showAlert(error);
  }
  booting = false;
  window.addEventListener("hashchange", render);
  await render();
}

start();
