//! The first screen in the real window: it reaches the Rust core, and it speaks three languages.

use migdesk_e2e::{AppWindow, translation};

async fn launch(name: &str) -> AppWindow {
    match AppWindow::launch(name).await {
        Ok(desk) => desk,
        Err(e) => panic!("could not start the desk: {e}"),
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn first_screen_reaches_the_core_and_switches_language() {
    let desk = launch("first_screen").await;

    // Azerbaijani by default.
    desk.wait_for_text("sign-in-title", &translation("az", "signIn.title"))
        .await
        .unwrap();
    let lang = desk
        .driver
        .find(thirtyfour::By::Css("html"))
        .await
        .unwrap()
        .attr("lang")
        .await
        .unwrap();
    assert_eq!(lang.as_deref(), Some("az"));

    // The IPC round trip: the core's own answer, including the data folder we gave the app.
    desk.wait_for_text("app-version", env!("CARGO_PKG_VERSION"))
        .await
        .unwrap();
    desk.wait_for_text("app-data-dir", &desk.data_dir().display().to_string())
        .await
        .unwrap();
    assert!(desk.data_dir().is_dir());
    desk.screenshot("first-screen-az").await.unwrap();

    // The desk started itself once more with few malloc arenas (so the scans' large buffers go
    // back to the system), as the same process: one app process, what it set in its environment.
    let [pid] = desk.app_processes().unwrap()[..] else {
        panic!("expected one desk process: {:?}", desk.app_processes());
    };
    let environ = std::fs::read(format!("/proc/{pid}/environ")).unwrap();
    let limit = std::env::var("MALLOC_ARENA_MAX").unwrap_or_else(|_| "2".into());
    assert!(
        environ
            .split(|b| *b == 0)
            .any(|v| v == format!("MALLOC_ARENA_MAX={limit}").as_bytes()),
        "the desk runs with MALLOC_ARENA_MAX={limit}"
    );
    // Without a GPU, WebKit is asked not to composite the window through a software OpenGL.
    let render_node = std::fs::read_dir("/dev/dri").is_ok_and(|entries| {
        entries
            .flatten()
            .any(|e| e.file_name().to_string_lossy().starts_with("renderD"))
    });
    if !render_node && std::env::var_os("WEBKIT_DISABLE_COMPOSITING_MODE").is_none() {
        assert!(
            environ
                .split(|b| *b == 0)
                .any(|v| v == b"WEBKIT_DISABLE_COMPOSITING_MODE=1"),
            "without a GPU render node the desk draws without compositing"
        );
    }

    for lang in ["en", "ru", "az"] {
        desk.click(&format!("language-{lang}")).await;
        desk.wait_for_text("sign-in-title", &translation(lang, "signIn.title"))
            .await
            .unwrap();
        desk.wait_for_text("sign-in-submit", &translation(lang, "signIn.submit"))
            .await
            .unwrap();
        let pressed = desk
            .by_test_id(&format!("language-{lang}"))
            .await
            .unwrap()
            .attr("aria-pressed")
            .await
            .unwrap();
        assert_eq!(pressed.as_deref(), Some("true"), "{lang} button pressed");
        if lang != "az" {
            desk.screenshot(&format!("first-screen-{lang}"))
                .await
                .unwrap();
        }
    }

    desk.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn language_choice_survives_a_reload() {
    let desk = launch("language_reload").await;

    desk.click("language-ru").await;
    desk.wait_for_text("sign-in-title", &translation("ru", "signIn.title"))
        .await
        .unwrap();
    desk.driver.refresh().await.unwrap();
    desk.wait_for_text("sign-in-title", &translation("ru", "signIn.title"))
        .await
        .unwrap();
    // And the core still answers after the reload.
    desk.wait_for_text("app-version", env!("CARGO_PKG_VERSION"))
        .await
        .unwrap();

    desk.close().await;
}
