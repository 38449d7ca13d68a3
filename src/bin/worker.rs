//! The data worker's entry point: Trunk builds this binary as a web worker
//! (`data-type="worker"` in index.html) and the page spawns it through the
//! generated `worker_loader.js`.

use gloo_worker::Registrable;
use icd_desk::protocol::JsCodec;
use icd_desk::worker::DataWorker;

fn main() {
    DataWorker::registrar().encoding::<JsCodec>().register();
}
