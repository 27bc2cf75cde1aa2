// Who is using the album right now, and small helpers every view shares.

import { hasSession, request } from "./api.js";

export const state = {
  /** The logged-in account (GET /users/me), or null. */
  me: null,
  /** The transformation catalogue, fetched once. */
  catalogue: null,
};

/** Fired ("me") when the account changes, so the navigation can follow. */
export const stateEvents = new EventTarget();

export function setMe(me) {
  state.me = me;
  stateEvents.dispatchEvent(new Event("me"));
}

export const isLoggedIn = () => state.me !== null;
export const isStaff = () => state.me?.role === "moderator" || state.me?.role === "admin";
export const isAdmin = () => state.me?.role === "admin";

/** Fetch the current account when there is a session; null otherwise. */
export async function loadMe() {
  state.me = hasSession() ? await request("users/me") : null;
  return state.me;
}

export async function loadCatalogue() {
  state.catalogue ??= await request("transformations", { auth: false });
  return state.catalogue;
}
