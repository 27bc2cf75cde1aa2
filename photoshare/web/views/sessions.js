// "Sessions" (#/me/sessions): every device logged in to your account, signing one out, and
// signing out everywhere but here.

import { request } from "../api.js";
import { errorSlot, h, statusSlot, time } from "../dom.js";
import { confirmedDelete, requireLogin } from "../ui.js";

// The first match names the browser: Edge and Opera also say "Chrome", Chrome also says "Safari".
const BROWSERS = [
  [/Edg(e|A|iOS)?\//, "Edge"],
  [/OPR\/|Opera/, "Opera"],
  [/Firefox\/|FxiOS/, "Firefox"],
  [/HeadlessChrome\//, "Headless Chrome"],
  [/Chrome\/|CriOS/, "Chrome"],
  [/Safari\//, "Safari"],
];
const SYSTEMS = [
  [/iPhone/, "iPhone"],
  [/iPad/, "iPad"],
  [/Android/, "Android"],
  [/Windows/, "Windows"],
  [/CrOS/, "ChromeOS"],
  [/Mac OS X|Macintosh/, "macOS"],
  [/Linux/, "Linux"],
];

/** A user agent as people name a device: "Firefox on Windows", "curl", "Unknown device". */
export function deviceName(userAgent) {
  const agent = userAgent ?? "";
  const browser = BROWSERS.find(([pattern]) => pattern.test(agent))?.[1];
  const system = SYSTEMS.find(([pattern]) => pattern.test(agent))?.[1];
  if (browser && system) return `${browser} on ${system}`;
  if (browser || system) return browser ?? system;
  // Scripts and apps: their first product token ("python-httpx/0.27" reads "python-httpx").
  const product = agent.trim().split(/[\s/]/)[0];
  return product || "Unknown device";
}

function sessionItem(session, { error, onSignedOut }) {
  const device = deviceName(session.user_agent);
  const signOut = session.current
    ? h("p", { class: "muted small" }, "To end this one, log out.")
    : confirmedDelete("Sign out", `auth/sessions/${encodeURIComponent(session.id)}`, {
        question: `Sign out ${device}?`,
        confirmLabel: "Yes, sign it out",
        className: "danger small",
        error,
        onDone: () => onSignedOut(`${device} was signed out.`),
      });
  return h(
    "li",
    { class: "session-item card", dataset: { sessionId: session.id } },
    h(
      "h2",
      { class: "session-item__device", title: session.user_agent || null },
      device,
      session.current ? h("span", { class: "badge" }, "This device") : null,
    ),
    h(
      "dl",
      { class: "session-facts" },
      h("dt", {}, "Address"),
      h("dd", { class: "mono" }, session.ip || "unknown"),
      h("dt", {}, "Logged in"),
      h("dd", {}, time(session.created_at)),
      h("dt", {}, "Last used"),
      h("dd", {}, session.last_used_at ? time(session.last_used_at) : "not since"),
    ),
    h("div", { class: "actions" }, signOut),
  );
}

export async function sessionsView(root) {
  if (!requireLogin(root, "see where you are logged in")) return;
  const error = errorSlot();
  const status = statusSlot();
  const summary = h("p", { class: "muted" });
  const list = h("ul", { class: "session-list", "aria-label": "Your sessions" });
  const others = h("div", { class: "actions" });

  const load = async (message) => {
    const answer = await request("auth/sessions", { query: { limit: 100 } });
    // This device first; the others in the server's order.
    const sessions = (Array.isArray(answer) ? answer : answer.items).sort(
      (one, other) => Number(other.current) - Number(one.current),
    );
    const count = sessions.length;
    summary.textContent = `${count} ${count === 1 ? "device is" : "devices are"} logged in to your account.`;
    list.replaceChildren(...sessions.map((session) => sessionItem(session, { error, onSignedOut: load })));
    others.replaceChildren(count > 1 ? everywhereElse(load, error) : h("p", { class: "muted" }, "Only this device is logged in."));
    status.textContent = message ?? "";
  };

  root.append(
    h("p", { class: "back" }, h("a", { href: "#/me" }, "← Your account")),
    h("h1", {}, "Sessions"),
    summary,
    status,
    error,
    others,
    list,
  );
  await load();
}

function everywhereElse(reload, error) {
  return confirmedDelete("Sign out everywhere else", "auth/sessions", {
    question: "Sign out every other device?",
    confirmLabel: "Yes, sign them out",
    className: "danger",
    error,
    onDone: () => reload("Every other device was signed out."),
  });
}
