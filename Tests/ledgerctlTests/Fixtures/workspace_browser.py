"""The team workspace in a real browser: headless Chromium driven by Selenium, as a
person of the policy team uses it, with axe-core checking every page it visits.

    python3 workspace_browser.py BASE_URL SETUP_LINK SCREENSHOT_DIR

Chooses a password through the set-up link, signs out and in again, logs a demand (after
a field error it fixes), a commitment, a claimed then a verified status change, a
follow-up, a correction and a retraction, searches and filters, reads the workspace in
Spanish, searches the public site as a reader, and signs out. Prints the seqs it wrote as JSON; exits 1 naming the first
failure, or any serious or critical accessibility violation.
"""
import json
import os
import re
import sys

from axe_selenium_python import Axe
from selenium import webdriver
from selenium.common.exceptions import TimeoutException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select, WebDriverWait

# CI has no network: Selenium must not try to fetch a driver or a browser.
os.environ.setdefault("SE_OFFLINE", "true")

BASE, SETUP_LINK, SHOTS = sys.argv[1], sys.argv[2], sys.argv[3]
PASSWORD = "a long enough password for the test"
os.makedirs(SHOTS, exist_ok=True)

options = webdriver.ChromeOptions()
options.binary_location = "/usr/bin/chromium"
for argument in ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1100,1400", "--lang=en-US"]:
    options.add_argument(argument)
driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
driver.implicitly_wait(2)

violations = []
checked = set()
shot_number = [0]


def fail(message):
    print("FAILED: " + message, file=sys.stderr)
    print("page: " + driver.current_url, file=sys.stderr)
    print(driver.find_element(By.TAG_NAME, "body").text[:3000], file=sys.stderr)
    driver.quit()
    sys.exit(1)


def check_page(name):
    """axe on the page (once per path), then a screenshot named after the step."""
    path = re.sub(r"[?&]written=1", "", driver.current_url.replace(BASE, ""))
    key = re.sub(r"/\d+", "/N", path.split("?")[0]) + ("?lang=es" if "lang=es" in path else "")
    if key not in checked:
        checked.add(key)
        axe = Axe(driver)
        axe.inject()
        results = axe.run()
        for violation in results["violations"]:
            if violation["impact"] in ("serious", "critical"):
                violations.append(f"{path}: {violation['id']} ({violation['impact']}): {violation['help']} — "
                                  + "; ".join(node["target"][0] for node in violation["nodes"][:3]))
    shot_number[0] += 1
    height = driver.execute_script("return document.body.scrollHeight")
    driver.set_window_size(driver.get_window_size()["width"], max(900, min(height + 100, 4000)))
    driver.save_screenshot(os.path.join(SHOTS, f"{shot_number[0]:02d}-{name}.png"))
    driver.set_window_size(1100, 1400)


def press(element, key=None):
    """Clicks (or presses a key on) something that loads a page, and waits for the new page."""
    # A mark on this document: the next one has none.
    driver.execute_script("window.ledgerOldPage = true")
    if key:
        element.send_keys(key)
    else:
        element.click()
    WebDriverWait(driver, 20).until(lambda d: d.execute_script(
        "return window.ledgerOldPage === undefined && document.readyState === 'complete'"))


def click(selector):
    press(driver.find_element(By.CSS_SELECTOR, selector))


def go(path):
    driver.get(BASE + path)


def fill(name, value):
    field = driver.find_element(By.NAME, name)
    field.clear()
    field.send_keys(value)


def set_date(name, value):
    # A date input's typing order depends on the browser's locale; set it as a form would.
    driver.execute_script("arguments[0].value = arguments[1]", driver.find_element(By.NAME, name), value)


def choose(name, value):
    Select(driver.find_element(By.NAME, name)).select_by_value(value)


def tick(name, value):
    box = driver.find_element(By.CSS_SELECTOR, f"input[name='{name}'][value='{value}']")
    if not box.is_selected():
        box.click()


def text():
    return driver.find_element(By.TAG_NAME, "main").text


def review_and_record(name):
    """Review, check the confirmation page, record with the keyboard; returns the new seq."""
    click("button[value='review']")
    if "Review before recording" not in driver.title:
        fail(f"{name}: no review page")
    check_page(f"{name}-review")
    record = driver.find_element(By.CSS_SELECTOR, "button[value='confirm']")
    press(record, Keys.ENTER)  # keyboard only
    match = re.search(r"/team/entries/(\d+)", driver.current_url)
    if not match or "The entry is in the ledger" not in text():
        fail(f"{name}: not recorded")
    check_page(f"{name}-recorded")
    return int(match.group(1))


written = {}
try:
    # Set-up link, then sign out and in again.
    driver.get(SETUP_LINK)
    check_page("setup")
    fill("password", PASSWORD)
    fill("repeat", PASSWORD)
    click("form button[type=submit]")
    if not driver.current_url.endswith("/team/"):
        fail("the set-up link did not sign in")
    click(".sign-out button")
    if "/team/sign-in" not in driver.current_url:
        fail("sign-out did not lead to sign-in")
    check_page("sign-in")
    fill("name", "maria")
    fill("password", "not the password")
    click("main form button")
    if "do not match" not in text():
        fail("a wrong password was not refused")
    fill("password", PASSWORD)
    press(driver.find_element(By.NAME, "password"), Keys.ENTER)
    if not driver.current_url.rstrip("/").endswith("/team"):
        fail("sign-in failed")
    check_page("home")
    if "What needs attention" not in text() or "Overdue commitments" not in text():
        fail("the home page does not show what needs attention")

    # A demand, with a field error fixed on the way.
    go("/team/new/demand")
    check_page("demand-form")
    driver.find_element(By.CSS_SELECTOR, "input[name=visibility][value=public]").click()
    fill("subject", "Stop Arms Flow 2")
    fill("title", "Stop the flow of US weapons into Mexico")
    fill("title_es", "Detener el flujo de armas de EE. UU. hacia México")
    fill("summary", "Enforce US export controls at the border; trace every seized weapon.")
    tick("by", "pmpj")
    tick("targets", "gov-us")
    fill("sources", "https://example.org/arms-flow\nhttps://example.org/flujo-de-armas")
    click("button[value='review']")
    error = driver.find_element(By.ID, "subject-error").text
    if "lowercase letters" not in error:
        fail("no error beside the id field")
    if driver.find_element(By.NAME, "title_es").get_attribute("value") != "Detener el flujo de armas de EE. UU. hacia México":
        fail("the typed values were not kept")
    check_page("demand-error")
    fill("subject", "stop-arms-flow-2")
    written["demand"] = review_and_record("demand")

    # A commitment answering it, due in the future.
    go("/team/new/commitment?demand=stop-arms-flow-2")
    driver.find_element(By.CSS_SELECTOR, "input[name=visibility][value=public]").click()
    fill("subject", "us-export-review")
    choose("actor", "gov-us")
    choose("kind", "pledge")
    fill("summary", "The US government pledged a review of firearms export licences to Mexico.")
    set_date("due", "2030-06-30")
    fill("sources", "https://example.org/export-review")
    written["commitment"] = review_and_record("commitment")

    # Claimed, then verified.
    for basis, status in [("claimed", "in-progress"), ("verified", "partially-fulfilled")]:
        go("/team/new/status?subject=us-export-review")
        driver.find_element(By.CSS_SELECTOR, "input[name=visibility][value=public]").click()
        choose("status", status)
        choose("basis", basis)
        fill("rationale", f"Rated {status} ({basis}).")
        fill("sources", f"https://example.org/{basis}")
        written[f"status-{basis}"] = review_and_record(f"status-{basis}")

    # A follow-up on the demand.
    go("/team/new/followup")
    driver.find_element(By.CSS_SELECTOR, "input[name=visibility][value=internal]").click()
    choose("subject", "stop-arms-flow-2")
    choose("kind", "meeting")
    fill("note", "Met the embassy's trade attaché.")
    fill("note_es", "Reunión con el agregado comercial de la embajada.")
    written["followup"] = review_and_record("followup")

    # A correction of the demand's title: choose the entry, edit, see before and after.
    go("/team/new/correction")
    choose("seq", str(written["demand"]))
    click("main form button")
    driver.find_element(By.CSS_SELECTOR, "input[name=visibility][value=public]").click()
    fill("title", "Stop the flow of US firearms into Mexico")
    fill("reason", "Firearms, as the source says.")
    click("button[value='review']")
    changes = driver.find_element(By.CSS_SELECTOR, "table.changes").text
    if "Stop the flow of US weapons into Mexico" not in changes or "Stop the flow of US firearms into Mexico" not in changes:
        fail("the correction's review does not show before and after")
    check_page("correction-review")
    click("button[value='confirm']")
    written["correction"] = int(re.search(r"/team/entries/(\d+)", driver.current_url).group(1))

    # A retraction of the follow-up.
    go(f"/team/new/retraction?seq={written['followup']}")
    driver.find_element(By.CSS_SELECTOR, "input[name=visibility][value=internal]").click()
    fill("reason", "Logged against the wrong demand.")
    written["retraction"] = review_and_record("retraction")

    # Search and filters.
    go("/team/demands")
    fill("q", "firearms")
    click("form.filters button")
    if "stop-arms-flow-2" not in text() or "justice-juarez-fire" in text():
        fail("search did not find the corrected title alone")
    check_page("demands-search")
    go("/team/commitments")
    choose("status", "partially-fulfilled")
    choose("basis", "verified")
    click("form.filters button")
    if "us-export-review" not in text():
        fail("the status filter lost the commitment")
    check_page("commitments-filtered")
    go("/team/actors?country=MX")
    check_page("actors")

    # A spreadsheet uploaded as a Spanish-locale Excel would save it: previewed, then recorded.
    sheet = os.path.join(SHOTS, "demandas.csv")
    with open(sheet, "w", encoding="utf-8-sig", newline="") as file:
        file.write('id;título;visibilidad;fuentes\r\nban-assault-weapons;"Prohibir las armas de asalto; ya";public;https://example.org/ban\r\n')
    go("/team/sheets")
    choose("kind", "demand")
    driver.find_element(By.NAME, "csv").send_keys(sheet)
    click("button[value='preview']")
    if "ban-assault-weapons" not in text() or "new demand" not in text():
        fail("the sheet's preview")
    check_page("sheet-preview")
    click("button[value='confirm']")
    match = re.search(r"/team/entries/(\d+)", driver.current_url)
    if not match:
        fail("the sheet was not recorded")
    written["sheet"] = int(match.group(1))

    # The other pages: people and tokens (maria is an admin), every form, a page not found.
    for path, name in [("/team/people", "people"), ("/team/sheets", "sheets"), ("/team/settings", "settings"), ("/team/webhooks", "webhooks"),
                       ("/team/new", "new"), ("/team/new/actor", "actor-form"),
                       ("/team/entries/1", "entry"), ("/team/no-such-page", "not-found")]:
        go(path)
        check_page(name)

    # In Spanish, and on a phone.
    go("/team/?lang=es")
    if "Lo que requiere atención" not in text():
        fail("the Spanish home page")
    check_page("home-es")
    driver.set_window_size(390, 844)
    go("/team/new/commitment?lang=es")
    driver.save_screenshot(os.path.join(SHOTS, "phone-commitment-form-es.png"))
    driver.set_window_size(1100, 1400)

    # A reader searches the public site: its own CSP must let the form be sent.
    go("/")
    search = driver.find_element(By.NAME, "q")
    search.send_keys("weapons")
    try:
        press(search, Keys.RETURN)
        WebDriverWait(driver, 10).until(lambda d: "q=weapons" in d.current_url)
    except TimeoutException:
        fail("the public search form was not sent (is its form-action allowed by the page's CSP?)")
    if not driver.find_elements(By.CSS_SELECTOR, "p[role='status']"):
        fail("the public search showed no count of what it found")
    check_page("public-search")

    # Sign out: the workspace is closed again.
    go("/team/")
    click(".sign-out button")
    go("/team/")
    if "/team/sign-in" not in driver.current_url:
        fail("still signed in after signing out")
finally:
    driver.quit()

if violations:
    print("accessibility violations (serious or critical):\n" + "\n".join(violations), file=sys.stderr)
    sys.exit(1)
print(json.dumps({"written": written, "pages_checked": sorted(checked)}))
