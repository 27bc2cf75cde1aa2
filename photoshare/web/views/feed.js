// The feed: every photo, newest first, with keyword search, tag chips and filters.
// The filters live in the hash (#/?tag=sea&sort=top_rated) so a filtered feed is a link.

import { request } from "../api.js";
import { appendTo, field, h, select, tagHref } from "../dom.js";
import { isStaff } from "../state.js";
import { go } from "../ui.js";
import { photoGrid } from "./grid.js";

const FILTERS = ["q", "tag", "owner", "min_rating", "date_from", "date_to", "sort"];
const SORTS = [
  ["newest", "Newest first"],
  ["oldest", "Oldest first"],
  ["top_rated", "Top rated"],
  ["lowest_rated", "Lowest rated"],
  ["taken_newest", "Taken, newest first"],
  ["taken_oldest", "Taken, oldest first"],
];

function readFilters(query) {
  const filters = {};
  for (const name of FILTERS) {
    const value = query.get(name);
    if (value) filters[name] = value;
  }
  if (!isStaff()) delete filters.owner;
  return filters;
}

function feedHash(filters) {
  const params = new URLSearchParams();
  for (const name of FILTERS) {
    if (filters[name] && !(name === "sort" && filters[name] === "newest")) {
      params.set(name, filters[name]);
    }
  }
  const search = params.toString();
  return search ? `#/?${search}` : "#/";
}

function searchForm(filters) {
  const q = h("input", { type: "search", name: "q", value: filters.q ?? "", placeholder: "sunset beach" });
  const minRating = select(
    [["", "Any rating"], ...[1, 2, 3, 4, 5].map((n) => [String(n), `${n}★ and up`])],
    { name: "min_rating", value: filters.min_rating ?? "" },
  );
  const dateFrom = h("input", { type: "date", name: "date_from", value: filters.date_from ?? "" });
  const dateTo = h("input", { type: "date", name: "date_to", value: filters.date_to ?? "" });
  const sort = select(SORTS, { name: "sort", value: filters.sort ?? "newest" });
  const owner = isStaff()
    ? field("Owner", h("input", { type: "text", name: "owner", value: filters.owner ?? "", autocomplete: "off" }), {
        hint: "Username (moderators and admins)",
      })
    : null;

  const form = h(
    "form",
    { class: "search card", role: "search", "aria-label": "Search photos" },
    h(
      "div",
      { class: "search__main" },
      field("Keywords", q),
      h("button", { type: "submit" }, "Search"),
    ),
    h(
      "div",
      { class: "search__filters" },
      field("Minimum rating", minRating),
      field("From date", dateFrom),
      field("To date", dateTo),
      field("Sort by", sort),
      owner,
    ),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const data = new FormData(form);
    const next = { tag: filters.tag };
    for (const [name, value] of data.entries()) next[name] = String(value).trim();
    go(feedHash(next));
  });
  // Choosing a sort or a rating is a search by itself.
  for (const control of [minRating, sort]) {
    control.addEventListener("change", () => form.requestSubmit());
  }
  return form;
}

async function tagBar(activeTag) {
  const page = await request("tags", { query: { limit: 30 }, auth: false });
  if (!page.items.length) return null;
  return h(
    "nav",
    { class: "tag-bar", "aria-label": "Tags" },
    h(
      "ul",
      { class: "chips" },
      page.items.map((tag) => {
        const active = tag.name === activeTag;
        return h(
          "li",
          {},
          h(
            "a",
            {
              class: active ? "chip chip--active" : "chip",
              href: active ? "#/" : tagHref(tag.name),
              "aria-current": active ? "true" : null,
              title: active ? "Show all photos" : `Photos tagged ${tag.name}`,
            },
            `#${tag.name}`,
            h("span", { class: "chip__count" }, ` ${tag.photos_count}`),
          ),
        );
      }),
    ),
  );
}

function activeFilters(filters) {
  const parts = [];
  if (filters.q) parts.push(`matching “${filters.q}”`);
  if (filters.tag) parts.push(`tagged #${filters.tag}`);
  if (filters.owner) parts.push(`by ${filters.owner}`);
  if (filters.min_rating) parts.push(`rated ${filters.min_rating}★ or more`);
  if (filters.date_from) parts.push(`from ${filters.date_from}`);
  if (filters.date_to) parts.push(`until ${filters.date_to}`);
  if (!parts.length) return null;
  return h(
    "p",
    { class: "active-filters" },
    `Photos ${parts.join(", ")}. `,
    h("a", { href: "#/" }, "Clear filters"),
  );
}

export async function feedView(root, { query }) {
  const filters = readFilters(query);
  root.append(h("h1", {}, filters.tag ? `Photos tagged #${filters.tag}` : "Photos"), searchForm(filters));
  const tags = h("div");
  appendTo(root, tags, activeFilters(filters));
  // The tags are a nicety: the feed still shows when they fail.
  const tagsLoaded = tagBar(filters.tag).then(
    (bar) => bar && tags.append(bar),
    () => null,
  );
  const filtered = Object.keys(filters).some((name) => name !== "sort");
  await Promise.all([
    photoGrid(root, filters, {
      emptyText: filtered ? "No photos match these filters." : "No photos yet: be the first to upload one.",
    }),
    tagsLoaded,
  ]);
}
