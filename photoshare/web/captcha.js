// hCaptcha on the signup form, when the server asks for one (GET auth/config).
//
// The script is loaded only then (the page's CSP allows hCaptcha's hosts only when the server
// has a captcha configured) and rendered explicitly into the form's container.

const SCRIPT_URL = "https://js.hcaptcha.com/1/api.js?render=explicit";

let loading = null;

function loadScript() {
  loading ??= new Promise((resolve, reject) => {
    const script = document.createElement("script");
    script.src = SCRIPT_URL;
    script.async = true;
    script.addEventListener("load", () => {
      if (window.hcaptcha) resolve(window.hcaptcha);
      else reject(new Error("The captcha did not start; reload the page to try again."));
    });
    script.addEventListener("error", () => {
      loading = null;
      script.remove();
      reject(new Error("The captcha could not be loaded; check your connection and reload the page."));
    });
    document.head.append(script);
  });
  return loading;
}

/** Render hCaptcha into `container`; its token, or "" while it is not solved. */
export async function captchaWidget(container, sitekey) {
  const hcaptcha = await loadScript();
  const id = hcaptcha.render(container, { sitekey });
  return {
    token: () => hcaptcha.getResponse(id) ?? "",
    // A token is good for one check: after a refused signup the person solves a new one.
    reset: () => hcaptcha.reset(id),
  };
}
