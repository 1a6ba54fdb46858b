"""browser.py -- the admin pages in a real browser: Debian's chromium,
headless, driven by Debian's chromium-driver through python3-selenium
(t/browser.pg starts the server and the database). Logs in, lists, creates
a user through the form (first with validation errors and a username full
of HTML, then a valid one whose username is HTML), sees it listed escaped,
logs out and is refused afterwards. A screenshot of each step goes to
SHOTS_DIR (t/screenshots/ in the build tree).

usage: browser.py BASE_URL ADMIN_USER ADMIN_PASSWORD SHOTS_DIR PROFILE_DIR
Prints TAP-style lines; exit 1 if any check failed, 77 if selenium or
chromium is missing.
"""

import os
import shutil
import sys
import time

try:
    from selenium import webdriver
    from selenium.common.exceptions import NoAlertPresentException, WebDriverException
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait
except ImportError:
    print("# python3-selenium is not installed: skipped")
    sys.exit(77)

FAILED = []
COUNT = [0]

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


def click_and_load(d, by, sel):
    """Click what navigates, then wait until the old page is gone, so that
    the next lookup cannot race the navigation (stale elements)."""
    old = redo(lambda: d.find_element(By.TAG_NAME, "html"))
    redo(lambda: d.find_element(by, sel).click())
    WebDriverWait(d, 30).until(lambda drv: gone(old))
    WebDriverWait(d, 30).until(
        lambda drv: drv.execute_script("return document.readyState") == "complete")


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


def fill(d, field_id, text):
    def go():
        f = d.find_element(By.ID, field_id)
        f.clear()
        f.send_keys(text)
    redo(go)


def texts(d, css):
    return redo(lambda: [e.text for e in d.find_elements(By.CSS_SELECTOR, css)])


def no_alert(d):
    try:
        d.switch_to.alert.dismiss()
        return False
    except NoAlertPresentException:
        return True


def main():
    base, admin, admin_pw, shots, profile = sys.argv[1:6]
    chromium = find_binary("/usr/bin/chromium", "chromium", "chromium-browser")
    driver_bin = find_binary("/usr/bin/chromedriver", "chromedriver")
    if chromium is None or driver_bin is None:
        print("# chromium or chromedriver is not installed: skipped")
        return 77
    os.makedirs(shots, exist_ok=True)

    opts = webdriver.ChromeOptions()
    opts.binary_location = chromium
    for a in ("--headless=new", "--disable-gpu", "--disable-background-networking",
              "--disable-component-update", "--disable-sync", "--no-first-run",
              "--disable-default-apps", "--disable-extensions", "--disable-dev-shm-usage",
              "--password-store=basic", "--window-size=1100,900",
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

    def shot(name):
        d.save_screenshot(os.path.join(shots, name + ".png"))

    try:
        # 1. Anonymous: the list sends us to the login form.
        d.get(base + "/users")
        check(d.current_url.endswith("/login"), "anonymous /users -> the login page (%s)" % d.current_url)
        shot("01-login")

        # 2. A wrong password: the form again, with an error.
        fill(d, "username", admin)
        fill(d, "password", "not the password")
        click_and_load(d, By.CSS_SELECTOR, "main form button[type=submit]")
        check(d.current_url.endswith("/login") and texts(d, "[role=alert]"),
              "a wrong password shows the login form with an error")
        shot("02-login-error")

        # 3. Log in.
        fill(d, "username", admin)
        fill(d, "password", admin_pw)
        click_and_load(d, By.CSS_SELECTOR, "main form button[type=submit]")
        check(d.current_url.endswith("/users"), "login lands on /users (%s)" % d.current_url)
        cells = texts(d, "table tbody td a")
        check(admin in cells, "the list shows %s (%r)" % (admin, cells))
        shot("03-users")

        # 4. The create form: validation errors, username full of HTML.
        click_and_load(d, By.LINK_TEXT, "Create a user")
        check(d.current_url.endswith("/users/new"), "the create form (%s)" % d.current_url)
        shot("04-new")
        fill(d, "username", BAD_NAME)
        fill(d, "email", "not-an-email")
        fill(d, "password", "a long enough password")
        click_and_load(d, By.CSS_SELECTOR, "main form button[type=submit]")
        errs = texts(d, "main .error, main [role=alert]")
        check(len(errs) >= 1, "the form comes back with error messages (%r)" % errs)
        check(redo(lambda: d.find_element(By.ID, "username").get_attribute("value")) == BAD_NAME,
              "the refused username is kept in the field, literally")
        check(not texts(d, "main b"), "no <b> element was injected")
        check(no_alert(d), "no script ran")
        shot("05-validation-errors")

        # 5. A valid user whose username is HTML.
        fill(d, "username", HTML_NAME)
        fill(d, "email", "html@example.com")
        fill(d, "password", "a long enough password")
        click_and_load(d, By.CSS_SELECTOR, "main form button[type=submit]")
        check("/user/" in d.current_url, "the form redirects to the new user (%s)" % d.current_url)
        h1 = " ".join(texts(d, "h1"))
        check(HTML_NAME in h1, "the user page shows the name as text (%r)" % h1)
        check(not texts(d, "main img"), "no <img> element was injected")
        check(no_alert(d), "no script ran on the user page")
        check("html@example.com" in d.page_source, "the user page shows the decrypted email")
        shot("06-created")

        # 6. Listed, escaped.
        d.get(base + "/users")
        names = texts(d, "table tbody td a")
        check(HTML_NAME in names, "the list shows the HTML username as text (%r)" % names)
        check(not texts(d, "table img"), "no <img> element in the table")
        check(no_alert(d), "no script ran on the list")
        check("html@example.com" not in d.page_source, "the list masks the email")
        shot("07-listed")

        # 7. Log out, then be refused.
        click_and_load(d, By.CSS_SELECTOR, "header form[action='/logout'] button")
        check("/users" not in d.current_url or d.current_url.endswith("/login"),
              "logout leaves the admin pages (%s)" % d.current_url)
        shot("08-logged-out")
        d.get(base + "/users")
        check(d.current_url.endswith("/login"), "after logout /users -> the login page (%s)" % d.current_url)
        d.get(base + "/users/new")
        check(d.current_url.endswith("/login"), "after logout /users/new -> the login page")
        check(not d.get_cookie("session"), "no session cookie is left")
        shot("09-refused")
    except WebDriverException as e:
        check(False, "browser step failed: %s" % str(e).splitlines()[0])
        try:
            shot("99-failure")
        except WebDriverException:
            pass
    finally:
        d.quit()

    print("1..%d" % COUNT[0])
    print("# %d failed" % len(FAILED))
    return 1 if FAILED else 0


if __name__ == "__main__":
    sys.exit(main())
