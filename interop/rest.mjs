// rest.mjs: Esri's REST JS clients against mosaic serve (MOSAIC_URL).
// ESM imports: the CommonJS build of @esri/arcgis-rest-request breaks on
// its mitt dependency.
import { execFileSync } from "node:child_process";
import { request, Job } from "@esri/arcgis-rest-request";
import { queryAllFeatures, queryFeatures } from "@esri/arcgis-rest-feature-service";

const base = process.env.MOSAIC_URL;
const gp = `${base}/arcgis/rest/services/System/RasterAnalysisTools/GPServer`;
const hosted = (name) => `${base}/arcgis/rest/services/Hosted/${name}/ImageServer`;
let failures = 0;
const check = (ok, what, detail = "") => {
  console.log(`${ok ? "ok  " : "FAIL"} ${what}${detail ? ": " + detail : ""}`);
  if (!ok) failures++;
};

async function main() {
  // The service info, as clients read it.
  const info = await request(hosted("scenes"));
  check(info.bandCount >= 1 && typeof info.pixelType === "string", "ImageServer info has bandCount and pixelType", `${info.bandCount} ${info.pixelType}`);
  check(info.advancedQueryCapabilities?.supportsPagination === true, "advancedQueryCapabilities.supportsPagination");
  check(info.timeInfo?.startTimeField === "AcquisitionDate", "timeInfo on the DATE field");

  // queryAllFeatures pages through the collection with resultOffset.
  const all = await queryAllFeatures({ url: hosted("scenes"), params: { outFields: "OBJECTID,Name", returnGeometry: false } });
  const ids = new Set(all.features.map((f) => f.attributes.OBJECTID));
  check(all.features.length === 2506 && ids.size === 2506, "queryAllFeatures pages through 2506 items", `${all.features.length} features, ${ids.size} distinct`);
  const ordered = await queryAllFeatures({ url: hosted("scenes"), resultRecordCount: 700,
    params: { where: "CloudCover < 50", outFields: "OBJECTID,CloudCover", orderByFields: "CloudCover DESC, OBJECTID", returnGeometry: false } });
  const cc = ordered.features.map((f) => f.attributes.CloudCover);
  const sorted = cc.every((v, i) => i === 0 || cc[i - 1] >= v);
  const count = await queryFeatures({ url: hosted("scenes"), where: "CloudCover < 50", returnCountOnly: true });
  check(sorted && cc.length === count.count, "queryAllFeatures with orderByFields, pages of 700", `${cc.length} of ${count.count}, ordered ${sorted}`);
  const stats = await queryFeatures({ url: hosted("scenes"), where: "1=1", groupByFieldsForStatistics: "SensorName",
    outStatistics: [{ statisticType: "count", onStatisticField: "OBJECTID", outStatisticFieldName: "n" }], orderByFields: "SensorName" });
  const total = stats.features.reduce((s, f) => s + f.attributes.n, 0);
  check(stats.features.length === 2 && total === 2506, "outStatistics grouped by SensorName", JSON.stringify(stats.features.map((f) => f.attributes)));

  // A job: submit, wait, results, then follow the result's URL.
  const before = (await queryFeatures({ url: hosted("scenes"), where: "CloudCover >= 95", returnCountOnly: true })).count;
  const job = await Job.submitJob({ url: `${gp}/DeleteImage`, params: { imageCollection: "scenes", where: "CloudCover >= 95" }, pollingRate: 100 });
  const done = await job.waitForCompletion();
  // The client reports statuses without their esriJob prefix.
  const status = (info) => String(info.status ?? info.jobStatus).replace(/^esriJob/, "");
  check(status(done) === "Succeeded", "DeleteImage job succeeds", status(done));
  const result = await job.getResult("result");
  check(result.value?.url === hosted("scenes"), "its result points at the collection", result.value?.url);
  const after = await queryFeatures({ url: result.value.url, where: "CloudCover >= 95", returnCountOnly: true });
  check(before > 0 && after.count === 0, "the items are gone", `${before} before, ${after.count} after`);
  const removed = await job.getResult("removedItems");
  check(removed.value?.features?.length === before, "removedItems lists them", `${removed.value?.features?.length}`);

  // Cancel: a job submitted by another process (mosaic delete-image
  // --no-wait), which the server picks up at its next rescan (every 5 s),
  // is cancelled over REST before it runs and removes nothing. (A cancel
  // that reaches a running delete is the storage work's; here the job has
  // not started.) Should the rescan start it first, the job is finished and
  // the answer says so: that attempt proves nothing, and one more is made.
  const n0 = (await queryFeatures({ url: hosted("big"), where: "1=1", returnCountOnly: true })).count;
  let outcome = "";
  for (let attempt = 1; attempt <= 2; attempt++) {
    const out = execFileSync(process.env.MOSAIC_BIN, ["-c", process.env.MOSAIC_CATALOG, "delete-image", "-i", "big", "--where", "CloudCover < 50", "--no-wait"]);
    const id = JSON.parse(out).jobId;
    const job = new Job({ url: `${gp}/DeleteImage`, id, pollingRate: 100 });
    let cancelled;
    try {
      cancelled = await job.cancelJob();
    } catch (e) {
      if (/already finished/.test(e.message) && attempt === 1) {
        console.log(`     (attempt 1: the server's rescan ran ${id} before the cancel; trying again)`);
        continue;
      }
      cancelled = { jobStatus: `error ${e.message}` };
    }
    let info = await job.getJobInfo();
    for (let i = 0; i < 100 && !/Succeeded|Failed|Cancelled|TimedOut/.test(status(info)); i++) {
      await new Promise((r) => setTimeout(r, 100));
      info = await job.getJobInfo();
    }
    outcome = `${status(cancelled)} then ${status(info)}`;
    const n1 = (await queryFeatures({ url: hosted("big"), where: "1=1", returnCountOnly: true })).count;
    check(/Cancel/.test(status(cancelled)) && status(info) === "Cancelled", "cancelJob on a submitted job", outcome);
    check(n1 === n0, "the cancelled job removed nothing", `${n0} → ${n1}`);
    break;
  }
  if (!outcome) check(false, "cancelJob on a submitted job", "the job ran before the cancel twice");

  // Cancel of a running job: submitted over REST, run by the server in
  // batches of 100 OBJECTIDs (run.sh sets MOSAIC_BATCH_SIZE for it), and
  // cancelled once it has removed some items. It stops (esriJobCancelled);
  // what it removed stays removed, and mosaic jobs undo puts it back.
  {
    const running = await Job.submitJob({ url: `${gp}/DeleteImage`, params: { imageCollection: "big", where: "CloudCover < 10" }, pollingRate: 50 });
    let info = await running.getJobInfo();
    for (let i = 0; i < 200 && !(status(info) === "Executing" && /Deleted [1-9]/.test(info.progress?.message ?? "")); i++) {
      await new Promise((r) => setTimeout(r, 25));
      info = await running.getJobInfo();
    }
    const seen = `${status(info)} (${info.progress?.message})`;
    let cancelled;
    try {
      cancelled = await running.cancelJob();
    } catch (e) {
      cancelled = { jobStatus: `error ${e.message}` };
    }
    for (let i = 0; i < 100 && !/Succeeded|Failed|Cancelled|TimedOut/.test(status(info)); i++) {
      await new Promise((r) => setTimeout(r, 100));
      info = await running.getJobInfo();
    }
    const n2 = (await queryFeatures({ url: hosted("big"), where: "1=1", returnCountOnly: true })).count;
    check(/Cancel/.test(status(cancelled)) && status(info) === "Cancelled" && n2 < n0 && n0 - n2 < 20000,
      "cancelJob on a running job stops it part way", `seen ${seen}; ${status(cancelled)} then ${status(info)}; ${n0 - n2} of 20000 removed`);
    execFileSync(process.env.MOSAIC_BIN, ["-c", process.env.MOSAIC_CATALOG, "jobs", "undo", running.id]);
    const n3 = (await queryFeatures({ url: hosted("big"), where: "1=1", returnCountOnly: true })).count;
    check(n3 === n0, "jobs undo puts back what the cancelled job removed", `${n2} → ${n3}`);
  }

  // Errors come back as ArcGIS errors the client raises.
  try {
    await request(`${hosted("scenes")}/query`, { params: { where: "Nope > 1" } });
    check(false, "a bad where clause is an error");
  } catch (e) {
    check(e.name === "ArcGISRequestError" && e.code === 400, "a bad where clause is ArcGISRequestError 400", e.message);
  }
}

main().then(
  () => {
    console.log(failures ? `rest.mjs: ${failures} failed` : "rest.mjs: all passed");
    process.exit(failures ? 1 : 0);
  },
  (e) => {
    console.error("rest.mjs:", e);
    process.exit(1);
  },
);
