//! Tests through Tauri's real IPC layer (mock runtime, real configuration and capabilities).

use std::path::Path;

use serde_json::{Value, json};
use tauri::ipc::{CallbackFn, InvokeBody};
use tauri::test::{INVOKE_KEY, MockRuntime, get_ipc_response, mock_builder};
use tauri::webview::InvokeRequest;
use tauri::{App, WebviewUrl, WebviewWindowBuilder};

use crate::{ShellConfig, configure};

fn app_with_data_dir(dir: &Path) -> App<MockRuntime> {
    let config = ShellConfig {
        data_dir_override: Some(dir.to_path_buf()),
        ..ShellConfig::default()
    };
    configure(mock_builder(), config)
        .build(tauri::generate_context!())
        .expect("the app builds with the real configuration")
}

fn invoke(app: &App<MockRuntime>, window_label: &str, cmd: &str) -> Result<Value, Value> {
    invoke_with(app, window_label, cmd, InvokeBody::default())
}

fn invoke_with(
    app: &App<MockRuntime>,
    window_label: &str,
    cmd: &str,
    body: InvokeBody,
) -> Result<Value, Value> {
    let webview = WebviewWindowBuilder::new(app, window_label, WebviewUrl::default())
        .build()
        .expect("window");
    invoke_in(&webview, cmd, body)
}

fn invoke_in(
    webview: &tauri::WebviewWindow<MockRuntime>,
    cmd: &str,
    body: InvokeBody,
) -> Result<Value, Value> {
    get_ipc_response(
        webview,
        InvokeRequest {
            cmd: cmd.into(),
            callback: CallbackFn(0),
            error: CallbackFn(1),
            url: "tauri://localhost".parse().expect("url"),
            body,
            headers: Default::default(),
            invoke_key: INVOKE_KEY.to_string(),
        },
    )
    .map(|body| body.deserialize::<Value>().expect("json"))
}

#[test]
fn app_info_answers_the_main_window() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("desk-data");
    let app = app_with_data_dir(&data);

    let info = invoke(&app, "main", "app_info").expect("app_info succeeds");

    assert_eq!(info["name"], "migdesk");
    assert_eq!(info["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(info["data_dir"], data.display().to_string());
    assert!(data.is_dir(), "the data folder is created at start");
    assert!(!info["build"]["commit"].as_str().unwrap().is_empty());
    assert_eq!(info["build"]["profile"], "debug");
}

#[test]
fn an_unusable_data_folder_is_a_storage_error_not_a_crash() {
    let tmp = tempfile::tempdir().unwrap();
    let in_the_way = tmp.path().join("file");
    std::fs::write(&in_the_way, b"x").unwrap();
    let app = app_with_data_dir(&in_the_way);

    let err = invoke(&app, "main", "app_info").expect_err("app_info fails");

    assert_eq!(err["kind"], "storage");
    assert!(
        err["message"].as_str().unwrap().contains("not a folder"),
        "{err}"
    );
}

#[test]
fn a_window_without_a_capability_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let app = app_with_data_dir(tmp.path());

    let err = invoke(&app, "intruder", "app_info").expect_err("refused");

    let text = err.to_string();
    assert!(text.contains("not allowed"), "{text}");
}

#[test]
fn every_command_takes_the_arguments_the_ui_sends() {
    let tmp = tempfile::tempdir().unwrap();
    let app = app_with_data_dir(tmp.path());
    let declared = migdesk_core::ipc::COMMANDS;
    assert_eq!(
        declared.iter().map(|c| c.name).collect::<Vec<_>>(),
        crate::COMMAND_NAMES,
        "the shell registers the commands the UI's map declares"
    );
    let main = WebviewWindowBuilder::new(&app, "main", WebviewUrl::default())
        .build()
        .expect("window");
    for command in declared {
        // Every argument under the name the UI sends, with a value no command accepts: the
        // command must get as far as reading it (a missing key means the names differ).
        let args: serde_json::Map<String, Value> = command
            .arg_names
            .iter()
            .map(|a| (migdesk_core::ipc::to_camel(a), json!({ "not": "a value" })))
            .collect();
        let answer = invoke_in(&main, command.name, InvokeBody::Json(Value::Object(args)));
        let text = match &answer {
            Ok(v) | Err(v) => v.to_string(),
        };
        assert!(
            !text.contains("missing required key"),
            "{}: {text}",
            command.name
        );
        assert!(!text.contains("not allowed"), "{}: {text}", command.name);
        if !command.arg_names.is_empty() {
            assert!(
                text.contains("invalid args"),
                "{} read its arguments: {text}",
                command.name
            );
        }
    }
}

#[test]
fn an_unknown_command_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let app = app_with_data_dir(tmp.path());

    assert!(invoke(&app, "main", "delete_everything").is_err());
}

fn read_json(path: &str) -> Value {
    let full = Path::new(env!("CARGO_MANIFEST_DIR")).join(path);
    serde_json::from_str(&std::fs::read_to_string(&full).unwrap()).unwrap()
}

#[test]
fn capabilities_grant_only_commands_that_exist() {
    let known: Vec<String> = crate::COMMAND_NAMES
        .iter()
        .map(|c| format!("allow-{}", c.replace('_', "-")))
        .collect();
    let cap = read_json("capabilities/main.json");
    assert_eq!(
        cap["windows"],
        json!(["main"]),
        "the capability is for the main window only"
    );
    for perm in cap["permissions"].as_array().unwrap() {
        let perm = perm.as_str().expect("permissions are plain identifiers");
        assert!(
            known.iter().any(|k| k == perm),
            "{perm} is not a desk command"
        );
    }
}

#[test]
fn the_main_window_may_call_every_desk_command() {
    let cap = read_json("capabilities/main.json");
    let granted: Vec<&str> = cap["permissions"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    for name in crate::COMMAND_NAMES {
        let perm = format!("allow-{}", name.replace('_', "-"));
        assert!(granted.contains(&perm.as_str()), "{perm} is not granted");
    }
}

#[test]
fn content_security_policy_is_strict() {
    let conf = read_json("tauri.conf.json");
    let csp = conf["app"]["security"]["csp"]
        .as_str()
        .expect("a CSP is set");
    assert!(!csp.contains("unsafe-eval"), "{csp}");
    assert!(!csp.contains("unsafe-inline"), "{csp}");
    assert!(
        !csp.contains("http://") || csp.contains("http://ipc.localhost"),
        "{csp}"
    );
    let remote: Vec<&str> = csp
        .split([' ', ';'])
        .filter(|t| t.starts_with("http") && *t != "http://ipc.localhost")
        .collect();
    assert!(remote.is_empty(), "remote origins in the CSP: {remote:?}");
    assert!(csp.contains("default-src 'self'"), "{csp}");
    assert!(csp.contains("object-src 'none'"), "{csp}");
    assert!(
        conf["app"]["security"]["dangerousDisableAssetCspModification"].is_null(),
        "Tauri must keep adding nonces to the CSP"
    );
}

/// `base` with `patch` merged over it, as Tauri merges a platform's configuration file.
fn merged(mut base: Value, patch: &Value) -> Value {
    match (base.as_object_mut(), patch.as_object()) {
        (Some(into), Some(from)) => {
            for (key, value) in from {
                let old = into.remove(key).unwrap_or(Value::Null);
                into.insert(key.clone(), merged(old, value));
            }
            base
        }
        _ => patch.clone(),
    }
}

#[test]
fn the_windows_and_macos_bundles_are_configured_as_tauri_reads_them() {
    let base = read_json("tauri.conf.json");
    for (file, targets) in [
        ("tauri.windows.conf.json", ["nsis", "msi"]),
        ("tauri.macos.conf.json", ["dmg", "app"]),
    ] {
        let conf = merged(base.clone(), &read_json(file));
        // Unknown or misspelt keys are refused by Tauri's own configuration types.
        let bundle: tauri::utils::config::BundleConfig =
            serde_json::from_value(conf["bundle"].clone())
                .unwrap_or_else(|e| panic!("{file}: {e}"));
        assert_eq!(
            serde_json::to_value(&bundle.targets).unwrap(),
            serde_json::json!(targets),
            "{file}"
        );
        assert_eq!(conf["identifier"], base["identifier"], "{file}");
    }
    let windows = merged(base, &read_json("tauri.windows.conf.json"));
    // Ministry networks are often closed: the WebView2 runtime travels inside the installer.
    assert_eq!(
        windows["bundle"]["windows"]["webviewInstallMode"]["type"],
        "offlineInstaller"
    );
}

#[test]
fn the_updater_starts_with_the_real_configuration_and_a_built_in_key() {
    // What a packaged build registers (`MIGDESK_UPDATE_PUBKEY` compiled in); the plugin needs
    // its section of the configuration even though the key comes from the build.
    let dir = tempfile::tempdir().expect("a temporary folder");
    let config = ShellConfig {
        data_dir_override: Some(dir.path().to_path_buf()),
        ..ShellConfig::default()
    };
    let builder = mock_builder().plugin(
        tauri_plugin_updater::Builder::new()
            .pubkey("dW50cnVzdGVkIGNvbW1lbnQ6IG1pbmlzaWduIHB1YmxpYyBrZXkK")
            .build(),
    );
    configure(builder, config)
        .build(tauri::generate_context!())
        .expect("the app builds with the updater registered");
}
