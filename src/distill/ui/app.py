"""The Gradio app: three tabs wired together, and how it is launched (locally, offline)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    import gradio as gr

TITLE = "Distill"
MAX_UPLOAD = "1gb"  # audio up to the loader's 30-minute limit fits well within this
CACHE_CLEANUP = (1800, 7200)  # every 30 min, delete Gradio's cached files older than 2 h
DEFAULT_CONCURRENCY = 4  # light events (labels, lists, clicks) across all sessions
# Not "api": the app offers no API to its users.
FOOTER_LINKS: list[Literal["api", "gradio", "settings", "runs"] | dict[str, str]] = [
    "gradio",
    "settings",
]


def _offline() -> None:
    """Gradio must not phone home: set before gradio is imported and Blocks are built."""
    os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"


def build_app() -> gr.Blocks:
    """The Codes, Train and Library tabs, and the wiring between them."""
    _offline()
    import gradio as gr

    from distill.ui.codes.handlers import page_closed, page_opened
    from distill.ui.codes.layout import build_codes_tab
    from distill.ui.codes.views import bind
    from distill.ui.common import model_selector_update
    from distill.ui.library.handlers import open_in_codes, refresh_library
    from distill.ui.library.layout import build_library_tab
    from distill.ui.train.handlers import select_trained_model
    from distill.ui.train.layout import build_train_tab
    from distill.ui.watch import WATCH_EVERY_S, new_seen, refresh_now, watch_models

    with gr.Blocks(title=TITLE, delete_cache=CACHE_CLEANUP, analytics_enabled=False) as app:
        gr.Markdown("## Distill · see and hear the codes your model learned")
        with gr.Tabs(elem_id="distill-tabs") as tabs:
            with gr.Tab("Codes", id="codes", elem_id="tab-codes"):
                codes = build_codes_tab()
            with gr.Tab("Train", id="train", elem_id="tab-train"):
                train = build_train_tab()
            with gr.Tab("Library", id="library", elem_id="tab-library"):
                library = build_library_tab()

        train.run.then(select_trained_model, [train.session, codes.model], [codes.model]).then(
            refresh_library, [library.model], library.refresh_outputs
        )
        for event in library.changed:
            event.then(model_selector_update, [codes.model], [codes.model])
        library.open_button.click(open_in_codes, [library.model], [codes.model, tabs])
        # A fresh page gets the key of its fast path and lists the models as they are now
        # (trained elsewhere, renamed, ...); then the watch on the models folder starts. One
        # chain, so a page's first event runs alone: Gradio builds a session's state on its
        # first event, and two at once could each build one (the page's key would then name
        # a session that is gone). A page closed or reloaded stops the work it started.
        seen = gr.State(new_seen)
        watch = gr.Timer(WATCH_EVERY_S, active=False)
        app.load(bind(page_opened, {"key": codes.key}), [codes.session], [codes.key]).then(
            model_selector_update, [codes.model], [codes.model]
        ).then(refresh_library, [library.model], library.refresh_outputs).then(
            start_watch, None, [watch]
        )
        app.unload(page_closed)
        # Model files changed by the CLI, another window or by hand: lists follow, and the
        # Codes tab says so when its loaded model was deleted, renamed or replaced.
        watch.tick(
            watch_models,
            [codes.model, codes.session, seen, library.model],
            [codes.model, codes.status, seen, *library.refresh_outputs],
            show_progress="hidden",
        )
        codes.refresh.click(
            refresh_now,
            [codes.model, seen, library.model],
            [codes.model, codes.status, seen, *library.refresh_outputs],
        )
    app.queue(default_concurrency_limit=DEFAULT_CONCURRENCY)
    return app


def start_watch() -> gr.Timer:
    """The watch on the models folder, started once the page's first events are done."""
    import gradio as gr

    return gr.Timer(active=True)


def launch_app(
    port: int | None = None,
    host: str = "127.0.0.1",
    open_browser: bool = False,
    prevent_thread_lock: bool = False,
    session_file: Path | None = None,
) -> gr.Blocks:
    """Build and serve the app on this machine (never shared publicly); returns the Blocks.
    With `session_file` (a checked session file), the first page that opens restores it.

    Blocks until Ctrl-C, unless prevent_thread_lock: then the server runs in the background
    and the caller stops it with .close().
    """
    _offline()
    from distill.demo.sounds import DEMO_SOUNDS_DIR
    from distill.ui.assets import APP_CSS, HEAD_HTML, build_theme
    from distill.ui.codes import keep_routes
    from distill.ui.codes.autosave import KEEPS
    from distill.ui.codes.codebook import router as codebook_router
    from distill.ui.codes.fast import router
    from distill.ui.codes.pictures import pictures_folder, remove_stale_pictures

    remove_stale_pictures()
    KEEPS.start_with(session_file)
    app = build_app()
    app.launch(
        server_name=host,
        server_port=port,
        inbrowser=open_browser,
        share=False,
        prevent_thread_lock=True,
        max_file_size=MAX_UPLOAD,
        # The example sounds live inside the package; the spectrograms over the grid are PNG
        # blocks with unguessable folder names (one per encode) in the pictures folder.
        allowed_paths=[str(DEMO_SOUNDS_DIR), str(pictures_folder())],
        show_error=False,
        ssr_mode=False,
        pwa=False,
        footer_links=FOOTER_LINKS,
        mcp_server=False,
        enable_monitoring=False,
        quiet=True,  # Gradio's banner suggests share=True; say where the app is ourselves
        theme=build_theme(),
        css=APP_CSS,
        head=HEAD_HTML,
    )
    # The fast path for hot gestures (ui/codes/fast.py), beside Gradio's own routes.
    app.app.include_router(router)
    app.app.include_router(codebook_router)  # the palette's routes (ui/codes/codebook.py)
    app.app.include_router(keep_routes.router)  # keeping work: autosave and its offer
    if not prevent_thread_lock:
        print(f"Distill is running at {app.local_url}  (press Ctrl-C to stop)", flush=True)
        app.block_thread()
    return app
