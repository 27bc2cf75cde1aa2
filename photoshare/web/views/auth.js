// Logging in and signing up.

import { login, request } from "../api.js";
import { captchaWidget } from "../captcha.js";
import { clearError, errorSlot, field, h, showError } from "../dom.js";
import { isLoggedIn, loadMe, stateEvents } from "../state.js";
import { go } from "../ui.js";
import { handleSubmit } from "../dom.js";
import { resendConfirmation } from "./recovery.js";

function nextHash(query) {
  const next = query.get("next") ?? "";
  return next.startsWith("#/") && !next.startsWith("#/login") ? next : "#/";
}

async function logInAndGo(username, password, query, notice) {
  await login(username, password);
  await loadMe();
  stateEvents.dispatchEvent(new Event("me"));
  go(nextHash(query), { notice });
}

export async function loginView(root, { query }) {
  const username = h("input", { type: "text", required: true, autocomplete: "username", autocapitalize: "none" });
  const password = h("input", { type: "password", required: true, autocomplete: "current-password" });
  const error = errorSlot();
  const submit = h("button", { type: "submit" }, "Log in");
  const forgot = h("a", { href: "#/forgot" }, "Forgot password?");
  username.addEventListener("input", () => {
    const typed = username.value.trim();
    forgot.href = typed.includes("@") ? `#/forgot?${new URLSearchParams({ email: typed })}` : "#/forgot";
  });
  const recovery = h("div", { class: "card narrow", hidden: true });
  const form = h(
    "form",
    { class: "card stack narrow", "aria-labelledby": "login-title" },
    h("h1", { id: "login-title" }, "Log in"),
    isLoggedIn() ? h("p", { class: "muted" }, "You are already logged in; logging in again switches account.") : null,
    field("Username or email", username),
    field("Password", password),
    error,
    h("div", { class: "actions" }, submit, forgot),
    h("p", { class: "muted" }, "New here? ", h("a", { href: "#/signup" }, "Create an account"), "."),
  );
  handleSubmit(form, submit, error, async () => {
    try {
      await logInAndGo(username.value.trim(), password.value, query, "Welcome back!");
    } catch (err) {
      password.select();
      if (err.status === 403 && /confirm your email/i.test(err.message)) {
        recovery.replaceChildren(resendConfirmation(username.value.trim()));
        recovery.hidden = false;
      }
      throw err;
    }
  });
  root.append(form, recovery);
}

export async function signupView(root, { query }) {
  const username = h("input", {
    type: "text",
    required: true,
    minlength: 3,
    maxlength: 32,
    pattern: "[A-Za-z0-9_.\\-]{3,32}",
    autocomplete: "username",
    autocapitalize: "none",
  });
  const email = h("input", { type: "email", required: true, autocomplete: "email" });
  const fullName = h("input", { type: "text", maxlength: 100, autocomplete: "name" });
  const password = h("input", { type: "password", required: true, minlength: 8, maxlength: 128, autocomplete: "new-password" });
  const error = errorSlot();
  const submit = h("button", { type: "submit" }, "Sign up");
  const captchaBox = h("div", { class: "captcha", hidden: true, "aria-label": "Captcha" });
  const form = h(
    "form",
    { class: "card stack narrow", "aria-labelledby": "signup-title" },
    h("h1", { id: "signup-title" }, "Create an account"),
    field("Username", username, { hint: "3 to 32 letters, digits, _ . or -" }),
    field("Email", email),
    field("Full name (optional)", fullName),
    field("Password", password, { hint: "At least 8 characters" }),
    captchaBox,
    error,
    h("div", { class: "actions" }, submit),
    h("p", { class: "muted" }, "Already have an account? ", h("a", { href: "#/login" }, "Log in"), "."),
  );
  let captcha = null;
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearError(error);
    const body = { username: username.value.trim(), email: email.value.trim(), password: password.value };
    if (fullName.value.trim()) body.full_name = fullName.value.trim();
    if (captcha) {
      body.captcha_token = captcha.token();
      if (!body.captcha_token) {
        showError(error, "Solve the captcha first.");
        return;
      }
    }
    submit.disabled = true;
    try {
      await request("auth/signup", { method: "POST", json: body, auth: false });
      await logInAndGo(body.username, body.password, query, `Welcome to PhotoShare, ${body.username}!`);
    } catch (err) {
      showError(error, err);
      captcha?.reset();
    } finally {
      submit.disabled = false;
    }
  });
  root.append(form);
  captcha = await signupCaptcha(captchaBox, error);
}

/** The captcha the server asks for (GET auth/config), rendered into `box`; null when none. */
async function signupCaptcha(box, error) {
  try {
    const config = await request("auth/config", { auth: false });
    if (!config.captcha) return null;
    box.hidden = false;
    return await captchaWidget(box, config.captcha.sitekey);
  } catch (err) {
    showError(error, err);
    return null;
  }
}
