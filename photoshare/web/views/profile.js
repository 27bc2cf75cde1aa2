// A person's public profile: avatar, bio and statistics, the albums you may see and their photos.

import { request } from "../api.js";
import { avatar, h, stars, time } from "../dom.js";
import { state } from "../state.js";
import { albumGrid } from "./albums.js";
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
  const photos = h("section", { "aria-labelledby": "profile-photos" });
  const albums = h("section", { "aria-labelledby": "profile-albums" });
  photos.append(h("h2", { id: "profile-photos" }, isMe ? "Your photos" : `Photos by ${profile.username}`));
  albums.append(h("h2", { id: "profile-albums" }, isMe ? "Your albums" : `Albums by ${profile.username}`));
  root.append(albums, photos);
  const path = `users/${encodeURIComponent(profile.username)}`;
  await Promise.all([
    albumGrid(albums, profile.username, {
      emptyText: isMe ? "You have no albums yet." : "No public albums.",
      label: `Albums by ${profile.username}`,
    }),
    photoGrid(
      photos,
      {},
      {
        path: `${path}/photos`,
        emptyText: isMe ? "You have not uploaded any photos yet." : "No photos yet.",
        label: `Photos by ${profile.username}`,
      },
    ),
  ]);
}
