"""Every route of the app, named once, and the URL builders for links in pages, messages and PDFs."""

LOGIN = "/login"
HOME = "/"
PROFILE = "/profile"
CHANGE_PASSWORD = "/change-password"
UNITS = "/org/units"
PEOPLE = "/org/people"
IMPORT = "/org/import"
AUDIT = "/admin/audit"
COMMITMENTS = "/commitments"
SIGN = "/commitments/sign/[campaign_id]"
CAMPAIGNS = "/commitments/campaigns"
VERIFY = "/verify/[ref]"
NOTIFICATIONS = "/notifications"
RECOGNITION = "/recognition"
RECOGNITION_PERSON = "/recognition/people"
RECOGNITION_CITIZENS = "/recognition/citizens"
RECOGNITION_QR = "/recognition/qr"
RECOGNITION_VALUES = "/recognition/values"
RECOGNITION_FAIRNESS = "/recognition/fairness"
THANKS = "/thanks"
LEADERBOARDS = "/leaderboards"
SCORING_ADMIN = "/leaderboards/settings"
SCREEN = "/screen"
GREEN = "/green"
GREEN_VERIFY = "/green/verify"
GREEN_ROSTERS = "/green/rosters"
GREEN_ASSESSMENT = "/green/assessment"
NOTIFY_ADMIN = "/admin/notifications"
COMMENDATIONS = "/commendations"
COMMENDATION_RATINGS = "/commendations/ratings"
COMMENDATION_REGISTRATIONS = "/commendations/registrations"
COMMENDATION_INITIATIVES = "/commendations/initiatives"
COMMENDATION_RECORDS = "/commendations/records"
COMMENDATION_CATALOGUE = "/commendations/catalogue"
COMMENDATION_AWARDS = "/commendations/awards"
COMMENDATION_ELIGIBILITY = "/commendations/eligibility"
COMMENDATION_NOMINATIONS = "/commendations/nominations"
COMMENDATION_NOMINATION = "/commendations/nominations/[nomination_id]"
COMMENDATION_COUNCIL = "/commendations/council"
COMMENDATION_SESSION = "/commendations/council/[session_id]"
COMMENDATION_DECISIONS = "/commendations/decisions"
COMMENDATION_REPORTS = "/commendations/reports"
NOTICE = "/notice/[token]"
VERIFY_AWARD = "/verify-award/[code]"
SUPERVISION = "/supervision"
SUPERVISION_VISIT = "/supervision/visits/[visit_id]"
SUPERVISION_MANAGE = "/supervision/manage"
SUPERVISION_TRENDS = "/supervision/trends"
GOOD_MODELS = "/good-models"
GOOD_MODELS_UNIT = "/good-models/unit"
GOOD_MODELS_REVIEW = "/good-models/review"
REVIEW = "/review"


def sign(campaign_id: int) -> str:
    """The page where one signs a campaign's commitment."""
    return f"/commitments/sign/{int(campaign_id)}"


def verify(ref: str) -> str:
    """The public check of one signature (its code or hash)."""
    return f"/verify/{ref}"


def recognition_person(person_id: int) -> str:
    """A person's recognition profile."""
    return f"{RECOGNITION_PERSON}/{int(person_id)}"


def thanks(token: str) -> str:
    """The citizens' thank-you page of a person or counter."""
    return f"{THANKS}/{token}"


def nomination(nomination_id: int) -> str:
    """A nomination's dossier."""
    return f"/commendations/nominations/{int(nomination_id)}"


def council_session(session_id: int) -> str:
    """A council session's page."""
    return f"/commendations/council/{int(session_id)}"


def notice(token: str) -> str:
    """A public notice of nominees, open for comments."""
    return f"/notice/{token}"


def supervision_visit(visit_id: int) -> str:
    """The page where a team records a spot-check visit (and anyone allowed reads it)."""
    return f"/supervision/visits/{int(visit_id)}"


def verify_award(code: str) -> str:
    """The public check of one certificate."""
    return f"/verify-award/{code}"


def screen(token: str) -> str:
    """A lobby screen's leaderboard page."""
    return f"{SCREEN}?k={token}"


def same_site(link: object, *, limit: int = 300) -> str:
    """``link`` when it is a path on this site, else "" (never an open redirect to another host).

    Refuses absolute URLs, scheme-relative ``//host`` and backslashes (browsers read ``/\\host``
    as ``//host``) and control characters.
    """
    text = (link if isinstance(link, str) else "").strip()
    if (not text.startswith("/") or text.startswith("//") or "\\" in text
            or any(ord(ch) < 32 for ch in text)):
        return ""
    return text[:limit]
