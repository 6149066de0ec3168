"""Course authoring: a course comes from a git repository, is synced into a draft version,
previewed as a student would see it, and published; its files can be edited in the
browser, each save a commit.

    CourseSource   repository URL + branch + optional folder, write-only credentials
                   (token or deploy key), a webhook id and secret, its authors; once a
                   version is published, the Course students see (one source per course)
    SyncRun        one sync, queued -> running -> succeeded | failed, its log written
                   line by line as it goes (the page polls it); one active per source,
                   enforced by a partial unique index
    CourseVersion  a commit that validated and self-checked: its files exported read-only
                   to AUTHORING_DIR/versions/<source>/<sha>/ (never changed afterwards),
                   the fingerprints of its exercise folders (all self-checked), and a
                   preview Course imported from those files under the slug
                   preview-<source>-<number> (courses.Course.is_preview: listed nowhere,
                   a 404 to anyone but its authors and staff)
    WebhookDelivery  a push notification acted on, by delivery id: a replay is ignored
    TryRun         "Try it": reference, starter, known mistakes and pasted code graded
                   against one exercise of a version; recorded here, not as submissions

The flow, file by file:

    views.py source_create / sync ── services.sync_start(): SyncRun row (the constraint
            refuses a second), then the "authoring.sync" task by name (regrade queue)
    webhooks.py push ── secret checked (GitHub HMAC-SHA256 / GitLab token), delivery id
            recorded once, branch matched ── services.sync_start()
    worker: tasks.sync ── services.sync_execute(): claim ── git.Git.fetch() into the bare
            mirror AUTHORING_DIR/mirrors/<source>.git ── a commit already a version ends
            here ── git.Git.export() ── courses.importing: load + render (problems at
            file:line go to the log) ── course_sync(slug=preview-…, trusted=fingerprints
            self-checked in earlier versions) self-checks the other exercises in the
            worker's sandbox (each verdict logged) and writes the preview course ──
            CourseVersion (draft); older drafts' previews are dropped
    views.py version page ── changes.publish_changes(): what publishing would change
            for students (added / changed / removed, answer keys, checks + submissions)
    services.version_publish() ── one transaction: course_sync() of the version's files
            onto the published course (rows matched by slug: progress, attempts and
            submissions survive), Course.source_path now the version's checkout, so the
            grader reads the new files from the commit on; rollback is publishing an
            older version the same way
    views_editor.py save ── git.Git.commit_files() on top of the commit the author opened
            (a temporary index, no work tree), push as a fast-forward (else "the branch
            moved"), then a sync with trigger "editor"

Nothing here writes a course file that git does not hold: the exports are of commits, the
editor's validation and preview run on a scratch copy deleted at once.
"""
