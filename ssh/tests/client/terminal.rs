//! Terminals: a PTY shell, its halves used at once.

use super::*;

/// Reads terminal events until the screen shows `needle`.
async fn read_until(term: &mut ssh::Terminal, needle: &str) -> String {
    let mut screen = String::new();
    let deadline = Instant::now() + Duration::from_secs(10);
    while !screen.contains(needle) {
        let event = tokio::time::timeout_at(deadline.into(), term.next())
            .await
            .unwrap_or_else(|_| panic!("no {needle:?} on the screen: {screen:?}"));
        match event {
            Some(TerminalEvent::Data(b)) => screen.push_str(&String::from_utf8_lossy(&b)),
            other => panic!("{other:?} before {needle:?}: {screen:?}"),
        }
    }
    screen
}

#[tokio::test]
async fn terminal_runs_a_shell() {
    let Some((_sshd, conn)) = connected().await else {
        return;
    };
    let mut term = conn.terminal("xterm-256color", 80, 24).await.unwrap();
    // `h""i` keeps the echoed command line from matching the output.
    term.write(b"echo h\"\"i-there\n").await.unwrap();
    read_until(&mut term, "hi-there").await;

    term.write(b"stty size\n").await.unwrap();
    read_until(&mut term, "24 80").await;
    term.resize(120, 40).await.unwrap();
    term.write(b"stty size\n").await.unwrap();
    read_until(&mut term, "40 120").await;

    term.write(b"exit\n").await.unwrap();
    let mut ending = Vec::new();
    while let Some(event) = tokio::time::timeout(TIMEOUT, term.next()).await.unwrap() {
        if !matches!(event, TerminalEvent::Data(_)) {
            ending.push(event);
        }
    }
    assert_eq!(ending, [TerminalEvent::Exit(0), TerminalEvent::Closed]);
    term.close().await;
}

#[tokio::test]
async fn terminal_halves_work_concurrently() {
    let Some((_sshd, conn)) = connected().await else {
        return;
    };
    let term = conn.terminal("xterm", 80, 24).await.unwrap();
    let (writer, mut reader) = term.split();
    let typist = writer.clone();
    let typing = tokio::spawn(async move {
        for i in 0..3 {
            typist
                .write(format!("echo l\"\"ine-{i}\n").as_bytes())
                .await
                .unwrap();
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    });
    let mut screen = String::new();
    while !screen.contains("line-2") {
        match tokio::time::timeout(TIMEOUT, reader.next()).await.unwrap() {
            Some(TerminalEvent::Data(b)) => screen.push_str(&String::from_utf8_lossy(&b)),
            other => panic!("{other:?}: {screen:?}"),
        }
    }
    typing.await.unwrap();
    // Closing from the writer ends the reader.
    writer.close().await;
    let mut last = None;
    while let Some(event) = tokio::time::timeout(TIMEOUT, reader.next()).await.unwrap() {
        last = Some(event);
    }
    assert_eq!(last, Some(TerminalEvent::Closed));
}
