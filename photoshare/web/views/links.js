// Share links of a photo: the transformation builder, the created link with its QR code, and
// the list of existing links.
//
// The preview is honest: it is the image the server renders for the created link (creating
// the same transformation again returns the same link, so previewing never piles up links).
// A link with limits (expiry, password, max views) is not previewed: loading it would spend a
// view or be refused.

import { request } from "../api.js";
import { clearError, errorSlot, field, h, safeUrl, select, uid } from "../dom.js";
import { isLoggedIn, loadCatalogue, state } from "../state.js";
import { deleteButton, loginHash } from "../ui.js";
import { copyButton, linkListItem, qrImage } from "./link_parts.js";
import { linkFacts, policyFields } from "./policy.js";

const number = (props) => h("input", { type: "number", inputmode: "numeric", ...props });

/** One operation of the builder: a fieldset switched on by the checkbox in its legend. */
function operation(title, controls, build) {
  const toggle = h("input", { type: "checkbox", id: uid("op") });
  const fieldset = h(
    "fieldset",
    { class: "op", disabled: true },
    h("legend", {}, toggle, h("label", { for: toggle.id }, title)),
    h("div", { class: "op__fields" }, controls),
  );
  toggle.addEventListener("change", () => {
    fieldset.disabled = !toggle.checked;
    fieldset.classList.toggle("op--on", toggle.checked);
  });
  return { fieldset, toggle, build };
}

function builderOperations(catalogue) {
  const spec = catalogue.operations;
  const values = (op, name) => spec[op].fields[name].values;
  // The order of the canonical form; the output format is always last.
  return [
    resizeOperation(spec, values),
    rotateOperation(spec),
    flipOperation(),
    effectOperation(spec, values),
    radiusOperation(spec),
    borderOperation(spec),
    formatOperation(values),
  ];
}

function resizeOperation(spec, values) {
  const width = number({ min: 1, max: spec.resize.fields.width.max, value: "600" });
  const height = number({ min: 1, max: spec.resize.fields.height.max });
  const crop = select(values("resize", "crop"), { value: "scale" });
  const gravity = select(values("resize", "gravity"), { value: "center" });
  return operation(
    "Resize",
    [field("Width (px)", width), field("Height (px)", height), field("Crop", crop), field("Gravity", gravity)],
    () => {
      const parts = [`c_${crop.value}`];
      if (width.value) parts.push(`w_${width.value}`);
      if (height.value) parts.push(`h_${height.value}`);
      if (gravity.value !== "center") parts.push(`g_${gravity.value}`);
      return parts.join(",");
    },
  );
}

function rotateOperation(spec) {
  const angle = number({ min: spec.rotate.fields.angle.min, max: spec.rotate.fields.angle.max, value: "90" });
  return operation("Rotate", [field("Angle (degrees)", angle)], () => `a_${angle.value || 0}`);
}

function flipOperation() {
  const direction = select([["horizontal", "Horizontal"], ["vertical", "Vertical"]]);
  return operation("Flip", [field("Direction", direction)], () =>
    direction.value === "horizontal" ? "a_hflip" : "a_vflip",
  );
}

function effectOperation(spec, values) {
  const effectName = select(values("effect", "name"), { value: "grayscale" });
  const strength = number({});
  const syncStrength = () => {
    const bounds = spec.effect.effects?.[effectName.value]?.strength;
    strength.value = "";
    strength.disabled = !bounds;
    strength.min = bounds ? bounds.min : "";
    strength.max = bounds ? bounds.max : "";
    strength.placeholder = bounds ? `${bounds.default} (${bounds.min} to ${bounds.max})` : "none";
  };
  effectName.addEventListener("change", syncStrength);
  syncStrength();
  return operation("Effect", [field("Effect name", effectName), field("Strength", strength)], () =>
    strength.value && !strength.disabled ? `e_${effectName.value}:${strength.value}` : `e_${effectName.value}`,
  );
}

function radiusOperation(spec) {
  const radiusValue = number({ min: 1, max: spec.radius.fields.value.max, value: "20" });
  const circle = h("input", { type: "checkbox" });
  circle.addEventListener("change", () => {
    radiusValue.disabled = circle.checked;
  });
  return operation(
    "Round corners",
    [field("Radius (px)", radiusValue), field("Circle or ellipse", circle, { className: "field field--inline" })],
    () => (circle.checked ? "r_max" : `r_${radiusValue.value || 1}`),
  );
}

function borderOperation(spec) {
  const borderWidth = number({ min: 1, max: spec.border.fields.width.max, value: "10" });
  const borderColor = h("input", { type: "color", value: "#ffffff" });
  return operation(
    "Border",
    [field("Border width (px)", borderWidth), field("Border colour", borderColor)],
    () => `bo_${borderWidth.value || 1}px_solid_rgb:${borderColor.value.replace("#", "")}`,
  );
}

function formatOperation(values) {
  const outputFormat = select(values("format", "format"), { value: "webp" });
  const quality = number({ min: 1, max: 100, placeholder: "auto" });
  return operation(
    "Output format",
    [field("Format", outputFormat), field("Quality (1 to 100)", quality, { hint: "Empty means auto" })],
    () => `f_${outputFormat.value},q_${quality.value || "auto"}`,
  );
}

/** The share-links card of a photo: the builder (logged in) and the photo's links. */
export function linksSection(photo) {
  const links = newLinks(photo);
  const section = h(
    "section",
    { class: "card", "aria-labelledby": "links-title" },
    h("h2", { id: "links-title" }, "Share a transformed copy"),
  );
  if (isLoggedIn()) {
    section.append(builderHost(links), links.result);
  } else {
    section.append(
      h("p", { class: "muted" }, h("a", { href: loginHash() }, "Log in"), " to create a share link with a QR code."),
    );
  }
  section.append(h("h3", {}, "Existing links"), links.listStatus, links.listError, links.list);
  loadLinks(links).catch((err) => showErrorText(links.listError, err.message));
  return section;
}

/** What the pieces of one photo's links share: the photo, its API path and the elements. */
function newLinks(photo) {
  return {
    photo,
    path: `photos/${encodeURIComponent(photo.id)}/links`,
    result: h("div", { class: "link-result", "aria-live": "polite" }),
    list: h("ul", { class: "link-list", "aria-label": "Share links" }),
    listStatus: h("p", { class: "muted" }),
    listError: errorSlot(),
  };
}

async function loadLinks(links) {
  const page = await request(links.path, { query: { limit: 100 } });
  links.list.replaceChildren(...page.items.map((link) => linkItem(links, link)));
  links.listStatus.textContent = page.total
    ? `${page.total} ${page.total === 1 ? "link" : "links"}`
    : "No share links yet.";
}

// A link's creator may delete it, and so may whoever may delete its photo (the server says
// who that is: photo.can_delete).
const mayDelete = (links, link) =>
  link.can_delete ?? (isLoggedIn() && (links.photo.can_delete || state.me.username === link.created_by));

function linkItem(links, link) {
  const status = h("p", { class: "form-status", role: "status" });
  const error = errorSlot();
  return linkListItem(link, {
    about: h("code", { class: "transformation" }, link.transformation),
    actions: (item) => [
      copyButton(link.url, status),
      mayDelete(links, link) ? linkDeleteButton(links, link, item, error) : null,
    ],
    slots: [status, error],
  });
}

function linkDeleteButton(links, link, item, error) {
  return deleteButton("link", `links/${encodeURIComponent(link.id)}`, {
    error,
    onDeleted: async () => {
      item.remove();
      if (links.result.dataset.linkId === link.id) links.result.replaceChildren();
      await loadLinks(links);
    },
  });
}

/** Whether opening the link is limited: then even a preview would spend a view or be refused. */
const hasPolicy = (link) => Boolean(link.has_password || link.expires_at || link.max_views != null);

function resultPreview(link) {
  const caption = h("figcaption", {}, h("code", { class: "transformation" }, link.transformation));
  if (hasPolicy(link)) {
    return h(
      "figure",
      { class: "preview" },
      h("p", { class: "muted" }, "No preview here: opening a limited link counts as a view."),
      linkFacts(link),
      caption,
    );
  }
  return h(
    "figure",
    { class: "preview" },
    h("img", { src: safeUrl(link.url), alt: `Preview of the transformed photo (${link.transformation})` }),
    caption,
  );
}

function showResult(links, link, existed) {
  const status = h("p", { class: "form-status", role: "status" });
  links.result.dataset.linkId = link.id;
  links.result.replaceChildren(
    h("h3", {}, existed ? "This transformation already has a link" : "Your new link"),
    h(
      "div",
      { class: "link-result__grid" },
      resultPreview(link),
      h(
        "div",
        { class: "stack" },
        h("a", { href: safeUrl(link.url), class: "url", target: "_blank", rel: "noopener" }, link.url),
        h("div", { class: "actions" }, copyButton(link.url, status)),
        status,
        h("figure", { class: "qr-figure" }, qrImage(link), h("figcaption", { class: "muted small" }, "Scan to open the link")),
      ),
    ),
  );
}

/** A placeholder that becomes the builder once the catalogue has loaded. */
function builderHost(links) {
  const host = h("div", {}, h("p", { class: "muted" }, "Loading the transformation builder…"));
  loadCatalogue()
    .then((catalogue) => host.replaceChildren(builder(links, catalogue)))
    .catch((err) => host.replaceChildren(h("p", { class: "form-error", role: "alert" }, err.message)));
  return host;
}

function builder(links, catalogue) {
  const operations = builderOperations(catalogue);
  const presets = Object.entries(catalogue.presets ?? {});
  const preset = select([["", "None: build it below"], ...presets.map(([name, p]) => [name, `${name.replaceAll("_", " ")}: ${p.description}`])]);
  const text = h("input", {
    type: "text",
    class: "mono",
    autocomplete: "off",
    spellcheck: "false",
    placeholder: "c_fill,w_300,h_300/e_grayscale/r_max",
  });
  const policy = policyFields();
  const error = errorSlot();
  const submit = h("button", { type: "submit" }, "Create link");
  const form = h(
    "form",
    { class: "builder stack", "aria-label": "Transformation builder" },
    field("Start from a preset", preset),
    h("div", { class: "ops" }, operations.map((op) => op.fieldset)),
    field("Transformation", text, {
      hint: "Built from your choices; you can also type a Cloudinary-style string.",
    }),
    policy.element,
    error,
    h("div", { class: "actions" }, submit),
  );
  followChoices(form, { operations, presets: catalogue.presets, preset, text });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    await createLink(links, { text, policy, error, submit });
  });
  return form;
}

/** Keep the transformation text in step with the preset and the operations chosen. */
function followChoices(form, { operations, presets, preset, text }) {
  const rebuild = () => {
    text.value = operations
      .filter((op) => op.toggle.checked)
      .map((op) => op.build())
      .join("/");
  };
  form.addEventListener("input", (event) => {
    if (event.target === text) return;
    if (event.target === preset) {
      const chosen = presets?.[preset.value];
      if (chosen) {
        for (const op of operations) {
          op.toggle.checked = false;
          op.toggle.dispatchEvent(new Event("change"));
        }
        text.value = chosen.transformation;
        return;
      }
    } else {
      preset.value = "";
    }
    rebuild();
  });
  // Checkbox toggles fire "change"; some browsers skip "input" for them.
  form.addEventListener("change", (event) => {
    if (event.target.type === "checkbox") rebuild();
  });
}

async function createLink(links, { text, policy, error, submit }) {
  clearError(error);
  const transformation = text.value.trim();
  if (!transformation) {
    showErrorText(error, "Choose at least one operation or a preset first.");
    return;
  }
  submit.disabled = true;
  submit.textContent = "Creating…";
  try {
    const json = { transformation, ...policy.read() };
    const { status, data } = await request(links.path, { method: "POST", json, full: true });
    text.value = data.transformation;
    policy.reset();
    showResult(links, data, status === 200);
    await loadLinks(links);
  } catch (err) {
    showErrorText(error, err.message);
  } finally {
    submit.disabled = false;
    submit.textContent = "Create link";
  }
}

function showErrorText(slot, message) {
  slot.textContent = message;
  slot.hidden = false;
}
