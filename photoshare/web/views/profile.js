// A person's public profile: avatar, bio and statistics; their photos for themselves and staff.

import { request } from "../api.js";
import { avatar, h, stars, time } from "../dom.js";
import { isStaff, state } from "../state.js";
import { photoGrid } from "./grid.js";

function stat(label, value) {
  return h("div", { class: "stat" }, h("dt", {}, label), h("dd", {}, value));
}

export async function profileView(root, { params: [username] }) {
  const profile = await request(`users/${encodeURIComponent(username)}`);
  const isMe = state.me?.username === profile.username;
  root.append(
    h(
      "section",
      { class: "card profile" },
      avatar(profile.avatar_url, profile.username, "lg"),
      h(
        "div",
        { class: "profile__body" },
        h("h1", {}, profile.full_name || profile.username),
        h(
          "p",
          { class: "muted" },
          `@${profile.username}`,
          profile.role !== "user" ? h("span", { class: "badge" }, profile.role) : null,
          profile.is_active === false ? h("span", { class: "badge badge--danger" }, "banned") : null,
        ),
        profile.bio ? h("p", { class: "bio" }, profile.bio) : null,
        h("p", { class: "muted small" }, "Joined ", time(profile.created_at, { withTime: false })),
        isMe ? h("p", {}, h("a", { href: "#/me", class: "button secondary" }, "Edit your profile")) : null,
      ),
    ),
    h(
      "dl",
      { class: "stats", "aria-label": "Statistics" },
      stat("Photos", String(profile.photos_count)),
      stat("Comments", String(profile.comments_count)),
      stat("Ratings given", String(profile.ratings_given)),
      stat("Rating received", stars(profile.rating_received)),
    ),
  );
  // Listing by owner is allowed for your own name and for moderators and admins only.
  if (isMe || isStaff()) {
    root.append(h("h2", {}, isMe ? "Your photos" : `Photos by ${profile.username}`));
    await photoGrid(
      root,
      { owner: profile.username },
      {
        emptyText: isMe ? "You have not uploaded any photos yet." : "No photos yet.",
        label: `Photos by ${profile.username}`,
      },
    );
  }
}
