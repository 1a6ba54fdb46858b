"""browser.py -- the admin pages in a real browser: Debian's chromium,
headless, driven by Debian's chromium-driver through python3-selenium
(t/browser.pg starts the server and the database).

Every routine task is walked end to end with the keyboard only (Tab to a
control, type, Enter): sign in through a next= link, create users (first
with errors: the summary takes the focus and its links lead to the
fields), page through the list, edit an email, meet the last admin guard,
reset a password and sign in with it, change one's own password, send a
form that went stale in another tab, log out through the typed /logout
address, delete with the confirmation page. Hostile usernames are checked
to stay text.

Every page and state it meets, signed out and in, is looked at in two
widths, 1280 and 375 px: axe-core (the npm package, injected into the
page) must find no violation of the WCAG 2.1 A/AA rules, the page must not
scroll sideways (scrollWidth <= clientWidth), and a screenshot of the
whole page goes to SHOTS_DIR (t/screenshots/ in the build tree) as
NN-name-WIDTH.png.

usage: browser.py BASE_URL ADMIN_USER ADMIN_PASSWORD SHOTS_DIR PROFILE_DIR AXE_JS
Prints TAP-style lines and the axe-core totals; exit 1 if any check
failed, 77 if selenium or chromium is missing.
"""

import base64
import os
import shutil
import sys
import time
import urllib.parse

try:
    from selenium import webdriver
    from selenium.common.exceptions import NoAlertPresentException, WebDriverException
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import WebDriverWait
except ImportError:
    print("# python3-selenium is not installed: skipped")
    sys.exit(77)

FAILED = []
COUNT = [0]
WIDTHS = ((1280, 900), (375, 812))
# The axe-core rule tags of WCAG 2.0 and 2.1, levels A and AA.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
AXE = {"pages": 0, "runs": 0, "violations": 0}

# Refused (it has '/'), and full of markup.
BAD_NAME = "<b>x</b>\"'"
# Accepted, and would run script if a page did not escape it.
HTML_NAME = "<img src=x onerror=alert(1)>\"'&"


def check(cond, what):
    COUNT[0] += 1
    print("%s %d - %s" % ("ok" if cond else "not ok", COUNT[0], what))
    if not cond:
        FAILED.append(what)
    return bool(cond)


def find_binary(*names):
    for n in names:
        p = shutil.which(n) or (n if os.path.isabs(n) and os.access(n, os.X_OK) else None)
        if p:
            return p
    return None


# Chromium can hand out a node of the document being replaced even after
# the new one is complete ("Node with given id does not belong to the
# document", or a stale element): such a step is looked up again and
# redone, a few times, instead of failing the run.
RACES = ("does not belong to the document", "stale element")


def redo(fn, tries=5):
    for i in range(tries):
        try:
            return fn()
        except WebDriverException as e:
            if i == tries - 1 or not any(r in str(e) for r in RACES):
                raise
            time.sleep(0.2)


def gone(el):
    """True once el's document is replaced: Chromium says so either as a
    stale element or as a node that no longer belongs to the document
    (which EC.staleness_of does not catch)."""
    try:
        el.is_enabled()
        return False
    except WebDriverException as e:
        if any(r in str(e) for r in RACES):
            return True
        raise


def loaded(d, old):
    """Wait until the document old belonged to is replaced and complete."""
    WebDriverWait(d, 30).until(lambda drv: gone(old))
    WebDriverWait(d, 30).until(
        lambda drv: drv.execute_script("return document.readyState") == "complete")


def go(d, url):
    d.get(url)
    WebDriverWait(d, 30).until(
        lambda drv: drv.execute_script("return document.readyState") == "complete")


def texts(d, css):
    return redo(lambda: [e.text for e in d.find_elements(By.CSS_SELECTOR, css)])


def no_alert(d):
    try:
        d.switch_to.alert.dismiss()
        return False
    except NoAlertPresentException:
        return True


def path(d, base):
    return d.current_url[len(base):] if d.current_url.startswith(base) else d.current_url


# ---- the keyboard: Tab to a control, type into it, Enter -------------------

def focused(d, css):
    return d.execute_script(
        "var e = document.activeElement; return !!(e && e.matches(arguments[0]));", css)


def gets_focus(d, css, secs=5):
    """Whether css takes the focus within secs: a page's autofocus is
    applied when the browser next renders, later on a busy machine."""
    end = time.monotonic() + secs
    while not focused(d, css):
        if time.monotonic() > end:
            return False
        time.sleep(0.05)
    return True


def tab_to(d, css, limit=60):
    """Press Tab until the focused element matches css (the keyboard-only
    path to a control); fails if Tab never reaches it."""
    for _ in range(limit):
        if focused(d, css):
            return
        ActionChains(d).send_keys(Keys.TAB).perform()
    raise AssertionError("keyboard: Tab never reaches %s" % css)


def kb_type(d, css, text):
    """Tab to a text field, empty it and type text."""
    tab_to(d, css)
    ActionChains(d).key_down(Keys.CONTROL).send_keys("a").key_up(Keys.CONTROL) \
        .send_keys(Keys.DELETE).perform()
    if text:
        ActionChains(d).send_keys(text).perform()


def kb_choose(d, css, letter):
    """Tab to a select and pick an option by typing its first letter."""
    tab_to(d, css)
    ActionChains(d).send_keys(letter).perform()


def kb_go(d, css):
    """Tab to a link or button and press Enter; wait for the next page."""
    tab_to(d, css)
    old = redo(lambda: d.find_element(By.TAG_NAME, "html"))
    ActionChains(d).send_keys(Keys.ENTER).perform()
    loaded(d, old)


def start_over(d):
    """Put the keyboard at the top of the page (as after a page load)."""
    d.execute_script("if (document.activeElement) document.activeElement.blur();")


# ---- every page: axe-core, no sideways scrolling, screenshots --------------

def look(d, shots, axe_src, name):
    """The page as it is, at both widths: axe-core violations (printed,
    counted), horizontal overflow, a full-page screenshot each."""
    AXE["pages"] += 1
    n = AXE["pages"]
    for w, h in WIDTHS:
        d.set_window_size(w, h)
        time.sleep(0.2)
        inner = d.execute_script("return window.innerWidth")
        sw, cw = d.execute_script(
            "var e = document.documentElement; return [e.scrollWidth, e.clientWidth];")
        check(sw <= cw, "%s at %d px (viewport %d): no sideways scrolling "
              "(scrollWidth %d, clientWidth %d)" % (name, w, inner, sw, cw))
        d.execute_script(axe_src)
        res = d.execute_async_script(
            "var done = arguments[arguments.length - 1];"
            "axe.run(document, {runOnly: {type: 'tag', values: arguments[0]},"
            " resultTypes: ['violations']}).then(function (r) {"
            " done(r.violations.map(function (v) { return {id: v.id, impact: v.impact,"
            " help: v.help, nodes: v.nodes.slice(0, 3).map(function (x) {"
            " return x.target.join(' '); })}; })); },"
            " function (e) { done({error: String(e)}); });", AXE_TAGS)
        AXE["runs"] += 1
        if isinstance(res, dict):
            check(False, "%s at %d px: axe-core ran (%s)" % (name, w, res.get("error")))
            continue
        AXE["violations"] += len(res)
        for v in res:
            print("# axe: %s at %d px: %s (%s): %s -- %s" % (
                name, w, v["id"], v["impact"], v["help"], ", ".join(v["nodes"])))
        check(not res, "%s at %d px: axe-core finds 0 violations (%d)" % (name, w, len(res)))
        # The whole page, from its top, whatever is scrolled or focused.
        full = d.execute_script(
            "return Math.max(document.documentElement.scrollHeight, window.innerHeight);")
        png = d.execute_cdp_cmd("Page.captureScreenshot", {
            "format": "png", "captureBeyondViewport": True,
            "clip": {"x": 0, "y": 0, "width": inner, "height": min(full, 6000), "scale": 1}})
        with open(os.path.join(shots, "%02d-%s-%d.png" % (n, name, w)), "wb") as f:
            f.write(base64.b64decode(png["data"]))
    d.set_window_size(*WIDTHS[0])


def flash(d):
    return " ".join(texts(d, "main .flash"))


def main():
    base, admin, admin_pw, shots, profile, axe_js = sys.argv[1:7]
    # The application's base path (BASE_PATH) as the pages' links carry it.
    prefix = urllib.parse.urlsplit(base).path.rstrip("/")
    chromium = find_binary("/usr/bin/chromium", "chromium", "chromium-browser")
    driver_bin = find_binary("/usr/bin/chromedriver", "chromedriver")
    if chromium is None or driver_bin is None:
        print("# chromium or chromedriver is not installed: skipped")
        return 77
    try:
        with open(axe_js, encoding="utf-8") as f:
            axe_src = f.read()
    except OSError as e:
        print("not ok 1 - axe-core is installed (%s): run tools/dev deps" % e)
        return 1
    os.makedirs(shots, exist_ok=True)

    opts = webdriver.ChromeOptions()
    opts.binary_location = chromium
    for a in ("--headless=new", "--disable-gpu", "--disable-background-networking",
              "--disable-component-update", "--disable-sync", "--no-first-run",
              "--disable-default-apps", "--disable-extensions", "--disable-dev-shm-usage",
              "--password-store=basic", "--window-size=1280,900", "--hide-scrollbars",
              "--user-data-dir=" + profile):
        opts.add_argument(a)
    if os.geteuid() == 0:
        opts.add_argument("--no-sandbox")
    svc = Service(executable_path=driver_bin,
                  log_path=os.path.join(os.path.dirname(profile), "chromedriver.log"))
    try:
        d = webdriver.Chrome(service=svc, options=opts)
    except WebDriverException as e:
        print("not ok 1 - chromium starts under chromedriver: %s" % str(e).splitlines()[0])
        return 1
    d.set_page_load_timeout(30)
    d.set_script_timeout(120)

    def see(name):
        look(d, shots, axe_src, name)

    def mistake_then_fix(name, field, bad, good):
        """The form on screen, sent with bad in field: the summary takes
        the focus and the field says what is wrong; then sent with good."""
        see(name)
        kb_type(d, field, bad)
        kb_go(d, "main form button[type=submit]")
        check(gets_focus(d, "#summary") and texts(d, field + "-error"),
              "%s: the mistake is summarised (focused) and shown by its field" % name)
        see(name + "-errors")
        start_over(d)
        kb_type(d, field, good)
        kb_go(d, "main form button[type=submit]")

    def sign_in(user, pw):
        kb_type(d, "#username", user)
        kb_type(d, "#password", pw)
        kb_go(d, "main form button[type=submit]")

    try:
        # Signed out: / leads to the login form.
        go(d, base + "/")
        check(path(d, base) == "/login", "/ signed out -> /login (%s)" % d.current_url)
        see("login")
        go(d, base + "/no/such/page")
        see("not-found-signed-out")

        # A page asked for while signed out: the login comes back to it.
        go(d, base + "/users/new")
        check(path(d, base) == "/login?next=%2Fusers%2Fnew",
              "signed out, /users/new -> the login form with next (%s)" % d.current_url)
        sign_in(admin, "not the password")
        check(path(d, base).startswith("/login") and texts(d, "#summary"),
              "a wrong password: the form again, with an error summary")
        check(gets_focus(d, "#summary"), "the error summary has the focus")
        check(redo(lambda: d.find_element(By.ID, "username").get_attribute("value")) == admin,
              "the username is kept")
        see("login-error")
        sign_in(admin, admin_pw)
        check(path(d, base) == "/users/new", "login returns to next (%s)" % d.current_url)

        # Create: errors first (the summary takes the focus, its links lead
        # to the fields), then a valid user whose name is HTML.
        see("new")
        kb_type(d, "#username", BAD_NAME)
        kb_type(d, "#email", "not-an-email")
        kb_type(d, "#password", "short")
        kb_go(d, "main form button[type=submit]")
        check(gets_focus(d, "#summary"), "the error summary has the focus after a failed create")
        links = redo(lambda: [a.get_attribute("href").split("#", 1)[-1] for a in
                              d.find_elements(By.CSS_SELECTOR, "#summary a")])
        check(links == ["username", "email", "password"],
              "the summary links to each field in error (%r)" % links)
        ActionChains(d).send_keys(Keys.TAB).send_keys(Keys.ENTER).perform()
        time.sleep(0.2)
        check(focused(d, "#username"), "following the first summary link focuses its field")
        check(redo(lambda: d.find_element(By.ID, "username").get_attribute("value")) == BAD_NAME,
              "the refused username is kept in the field, literally")
        check(redo(lambda: d.find_element(By.ID, "password").get_attribute("value")) == "",
              "the password is not kept")
        check(not texts(d, "main b"), "no <b> element was injected")
        check(no_alert(d), "no script ran")
        see("new-errors")

        start_over(d)
        kb_type(d, "#username", HTML_NAME)
        kb_type(d, "#email", "html@example.com")
        kb_type(d, "#password", "a long enough password")
        kb_go(d, "main form button[type=submit]")
        check("/user/" in d.current_url, "the form redirects to the new user (%s)" % d.current_url)
        h1 = " ".join(texts(d, "h1"))
        check(HTML_NAME in h1, "the user page shows the name as text (%r)" % h1)
        check(flash(d) == "User %s created." % HTML_NAME, "flash: %r" % flash(d))
        check(not texts(d, "main img"), "no <img> element was injected")
        check(no_alert(d), "no script ran on the user page")
        check("html@example.com" in d.page_source, "the user page shows the decrypted email")
        see("created")
        d.refresh()
        check(flash(d) == "", "the message is shown once (%r)" % flash(d))

        for name in ("carol", "dave", "erin"):
            go(d, base + "/users/new")
            kb_type(d, "#username", name)
            kb_type(d, "#email", name + "@example.com")
            kb_type(d, "#password", "first password " + name)
            kb_go(d, "main form button[type=submit]")
            check(path(d, base) == "/user/" + name, "created %s" % name)

        # The list: escaped, masked, paged.
        go(d, base + "/users")
        names = texts(d, "table tbody td a")
        check(HTML_NAME in names, "the list shows the HTML username as text (%r)" % names)
        check(not texts(d, "table img"), "no <img> element in the table")
        check("html@example.com" not in d.page_source, "the list masks the email")
        check(texts(d, "table time"), "timestamps are <time> elements")
        see("users")
        start_over(d)
        kb_choose(d, "#limit", "1")  # 10: the first size that starts with 1
        kb_go(d, "form.filter button[type=submit]")
        check("limit=10" in d.current_url, "the page size is chosen with the keyboard (%s)"
              % d.current_url)
        go(d, base + "/users?limit=2")
        kb_go(d, "a[rel=next]")
        check("after=" in d.current_url, "Next page (%s)" % d.current_url)
        check(texts(d, "a[rel=prev]"), "page 2 has a Previous link")
        see("users-page-2")
        kb_go(d, "a[rel=prev]")
        check(path(d, base) == "/users?limit=2", "Previous goes back to page 1 (%s)"
              % d.current_url)
        go(d, base + "/users?limit=abc")
        check(" ".join(texts(d, "main li")) == "Page size must be a number from 1 to 100.",
              "limit=abc names the field once (%r)" % texts(d, "main li"))
        see("users-bad-limit")

        # Edit carol's email, with a mistake first.
        go(d, base + "/user/carol")
        kb_go(d, "a[href='%s/user/carol/edit']" % prefix)
        mistake_then_fix("edit", "#email", "carol@", "carol.new@example.com")
        check(path(d, base) == "/user/carol" and flash(d) == "User carol updated.",
              "edit: back on carol's page with %r" % flash(d))
        check("carol.new@example.com" in d.page_source, "the new email is shown")
        see("edited")

        # The last admin cannot stop being one.
        go(d, base + "/user/%s/edit" % admin)
        kb_choose(d, "#user_type", "u")
        kb_go(d, "main form button[type=submit]")
        check("last admin" in " ".join(texts(d, "#summary")), "the last admin guard: %r"
              % texts(d, "#summary"))
        see("last-admin")

        # Reset carol's password.
        go(d, base + "/user/carol")
        kb_go(d, "a[href='%s/user/carol/password']" % prefix)
        mistake_then_fix("reset", "#new_password", "short", "carol reset by admin")
        check(flash(d) == "New password set for carol.", "reset: %r" % flash(d))

        # A form gone stale: another tab signs out and in again meanwhile.
        go(d, base + "/users/new")
        kb_type(d, "#username", "stale-user")
        kb_type(d, "#email", "stale@example.com")
        kb_type(d, "#password", "typed before it went stale")
        first = d.current_window_handle
        d.switch_to.new_window("tab")
        go(d, base + "/logout")
        kb_go(d, "main form button[type=submit]")
        sign_in(admin, admin_pw)
        d.close()
        d.switch_to.window(first)
        kb_go(d, "main form button[type=submit]")
        check("expired" in " ".join(texts(d, "#summary")), "a stale form is shown again with "
              "a note (%r)" % texts(d, "#summary"))
        check(redo(lambda: d.find_element(By.ID, "username").get_attribute("value")) ==
              "stale-user" and
              redo(lambda: d.find_element(By.ID, "email").get_attribute("value")) ==
              "stale@example.com", "... with its values")
        check(redo(lambda: d.find_element(By.ID, "password").get_attribute("value")) == "",
              "... but not the password")
        see("new-stale")
        start_over(d)
        kb_type(d, "#password", "typed again, fresh")
        kb_go(d, "main form button[type=submit]")
        check(path(d, base) == "/user/stale-user", "sent again, it works (%s)" % d.current_url)

        # More pages an admin sees.
        go(d, base + "/admin/census")
        see("census")
        go(d, base + "/user/nobody")
        see("not-found-signed-in")

        # Log out with the header's button; sign in as carol with the
        # password the admin set.
        start_over(d)
        kb_go(d, "header form[action='%s/logout'] button" % prefix)
        check(path(d, base) == "/login" and flash(d) == "Signed out.",
              "logged out: %r" % flash(d))
        see("signed-out")
        sign_in("carol", "carol reset by admin")
        check(path(d, base) == "/user/carol", "carol signs in with the new password")
        see("self")
        go(d, base + "/")
        check(path(d, base) == "/user/carol", "/ for a user -> their own page")
        go(d, base + "/users")
        see("forbidden")

        # Change one's own password: the current one is required.
        go(d, base + "/user/carol")
        kb_go(d, "a[href='%s/user/carol/password']" % prefix)
        see("own-password")
        kb_type(d, "#current_password", "not it")
        kb_type(d, "#new_password", "carol's very own")
        kb_go(d, "main form button[type=submit]")
        check(texts(d, "#current_password-error"), "a wrong current password is refused")
        see("own-password-wrong")
        start_over(d)
        kb_type(d, "#current_password", "carol reset by admin")
        kb_type(d, "#new_password", "carol's very own")
        kb_go(d, "main form button[type=submit]")
        check(flash(d) == "Your password was changed.", "own change: %r" % flash(d))

        # /logout typed in the address bar: one button.
        go(d, base + "/logout")
        check(path(d, base) == "/logout" and texts(d, "main form button"),
              "GET /logout shows a button")
        see("logout")
        kb_go(d, "main form button[type=submit]")
        check(path(d, base) == "/login" and not d.get_cookie("session"),
              "its button signs out")
        sign_in("carol", "carol's very own")
        check(path(d, base) == "/user/carol", "carol signs in with her own password")
        start_over(d)
        kb_go(d, "header form[action='%s/logout'] button" % prefix)

        # Delete, after the confirmation page.
        sign_in(admin, admin_pw)
        go(d, base + "/user/carol")
        kb_go(d, "a[href='%s/user/carol/delete']" % prefix)
        check(path(d, base) == "/user/carol/delete", "the confirmation page")
        see("delete")
        kb_go(d, "main form button[type=submit]")
        check(path(d, base) == "/users" and flash(d) == "User carol deleted.",
              "deleted: %r" % flash(d))
        check("carol" not in texts(d, "table tbody td a"), "carol is no longer listed")
        see("deleted")

        # Signed out, the admin pages are closed.
        start_over(d)
        kb_go(d, "header form[action='%s/logout'] button" % prefix)
        go(d, base + "/users")
        check(path(d, base).startswith("/login"), "after logout /users -> the login page")
        check(not d.get_cookie("session"), "no session cookie is left")
    except (WebDriverException, AssertionError) as e:
        check(False, "browser step failed: %s" % str(e).splitlines()[0])
        try:
            d.save_screenshot(os.path.join(shots, "99-failure.png"))
        except WebDriverException:
            pass
    finally:
        d.quit()

    print("# axe-core %s: %d pages, %d runs (1280 and 375 px), %d violations" % (
        "+".join(AXE_TAGS), AXE["pages"], AXE["runs"], AXE["violations"]))
    print("1..%d" % COUNT[0])
    print("# %d failed" % len(FAILED))
    return 1 if FAILED else 0


if __name__ == "__main__":
    sys.exit(main())
