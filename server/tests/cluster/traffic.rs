//! Requests through nginx all along a fault: each must succeed (nginx may
//! retry it on another instance; the caller never sees a failure).

use std::{
    sync::{
        atomic::{AtomicBool, Ordering},
        Arc, Mutex,
    },
    time::Duration,
};

/// A loop of `GET /backends` (API token) through nginx, every 50 ms.
pub struct Traffic {
    stop: Arc<AtomicBool>,
    failures: Arc<Mutex<Vec<String>>>,
    task: tokio::task::JoinHandle<usize>,
}

impl Traffic {
    pub fn start(url: String, token: String) -> Traffic {
        let stop = Arc::new(AtomicBool::new(false));
        let failures = Arc::new(Mutex::new(Vec::new()));
        let (s, f) = (stop.clone(), failures.clone());
        let task = tokio::spawn(async move {
            let client = reqwest::Client::builder()
                .timeout(Duration::from_secs(15))
                .build()
                .unwrap();
            let mut sent = 0;
            while !s.load(Ordering::SeqCst) {
                let res = client
                    .get(&url)
                    .header("authorization", &token)
                    .header("accept", "application/json")
                    .send()
                    .await;
                sent += 1;
                match res {
                    Ok(r) if r.status() == 200 => {}
                    Ok(r) => f.lock().unwrap().push(format!("{}", r.status())),
                    Err(e) => f.lock().unwrap().push(e.to_string()),
                }
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            sent
        });
        Traffic {
            stop,
            failures,
            task,
        }
    }

    /// Stops; (requests sent, failures seen).
    pub async fn stop(self) -> (usize, Vec<String>) {
        self.stop.store(true, Ordering::SeqCst);
        let sent = self.task.await.unwrap();
        let failures = self.failures.lock().unwrap().clone();
        (sent, failures)
    }
}
