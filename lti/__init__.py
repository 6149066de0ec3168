"""LTI 1.3: Descent as a tool inside an LMS (Canvas, Moodle, Open edX...).

Built on django-lti (`lti_tool`: registrations, deployments, signing keys, contexts,
LMS users and resource links as models, its admin and `manage.py rotate_keys`) and
pylti1p3, which it builds on (the OIDC login and the id_token's checks). This app is
what is Descent's:

    LMS ──(1) OIDC login──▶ /lti/login/            state in a cookie, nonce in the cache
        ◀──redirect to the platform's auth URL───
        ──(2) id_token ───▶ /lti/launch/           pylti1p3: state, JWT format, nonce,
                                                   registration (iss, aud), signature
                                                   (the platform's JWKS), deployment,
                                                   message type and version, exp/iat;
                                                   then here: the nonce spent once
                                                   (UsedNonce), and only then anything
                                                   written:
                            LtiUser (registration + sub) ─▶ its Descent account
                            LtiContext ─▶ CohortLink ─▶ Cohort (+ Membership, role mapped)
                            target_link_uri ─▶ the page opened
    LMS ◀─(3) /lti/jwks/   the tool's public keys (every active lti_tool.Key)

- **Who signs in.** An LMS user is the pair (registration, `sub`). Their Descent account
  is made on their first launch and found by that pair afterwards, never by e-mail (an
  LMS lets users type any address).
- **Where they land.** The launch's context (an LMS course) maps to one cohort
  (CohortLink). The first instructor to launch from a new context picks the course, and
  a cohort is opened for it; a learner who comes first is told to wait for that. Roles
  map: Instructor or Administrator → instructor, TeachingAssistant (or Mentor) →
  assistant, anything else → student. The page opened is the launch's
  `target_link_uri` when it is a page of this site in the cohort's course (deep links
  are made that way), else the course home.
- **Deep linking** (lti/deep_linking.py): an instructor's LtiDeepLinkingRequest opens a
  picker of the cohort's course (after the course is picked, for a new LMS course); the
  answer, one ltiResourceLink per item with its line item and due date, is signed by
  pylti1p3 with the tool's newest key and posted back to the LMS by the browser.
- **Grades** (lti/passback.py): a launch of a link to an exercise or a checkpoint names
  its line item, or only the container (Descent then makes one on the first send).
  Grading and checkpoints announce a changed score (grading.signals, courses.signals); a
  ScoreSync per student and line item asks for a send, and lti.push_score (the
  `outbound` queue) sends the score that counts under the cohort's policy through
  pylti1p3's AGS client, retrying while the LMS is down.
- **Calls to an LMS** (config.BoundedSession): a 5 s timeout, at most 16 MiB read, and,
  for service calls, only the registration's own hosts, LTI_SERVICE_HOSTS, or public
  addresses (a launch's URLs cannot aim the worker at this network).
- **Roster** (lti/roster.py): the context's NRPS member list brings members in with
  their roles and archives students from that LMS who left; the cohort's LMS page
  (views_cohort.py) shows it and the grades' state.
- **What is refused.** Every failed check renders `lti/refused.html` with the reason
  (400, or 403 for an inactive or unknown deployment) and writes nothing: an unknown
  deployment is not created (DescentToolConfig), a replayed launch finds its nonce spent.
- **Keys.** The tool's private keys are `lti_tool.Key` rows (`manage.py rotate_keys`
  adds one and keeps the old active until deactivated, so a platform's cached JWKS keeps
  verifying during a rotation), never files in the repository.
"""
