// rest.mjs: Esri's REST JS clients against mosaic serve (MOSAIC_URL).
// ESM imports: the CommonJS build of @esri/arcgis-rest-request breaks on
// its mitt dependency.
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

  // Cancel: a job queued behind another on the same collection is cancelled
  // before it runs and removes nothing.
  const n0 = (await queryFeatures({ url: hosted("big"), where: "1=1", returnCountOnly: true })).count;
  const first = await Job.submitJob({ url: `${gp}/DeleteImage`, params: { imageCollection: "big", where: "CloudCover < 50" }, pollingRate: 100 });
  const second = await Job.submitJob({ url: `${gp}/DeleteImage`, params: { imageCollection: "big", where: "CloudCover >= 50" }, pollingRate: 100 });
  const cancelled = await second.cancelJob();
  const firstDone = await first.waitForCompletion();
  let secondInfo = await second.getJobInfo();
  for (let i = 0; i < 100 && !/Succeeded|Failed|Cancelled|TimedOut/.test(status(secondInfo)); i++) {
    await new Promise((r) => setTimeout(r, 100));
    secondInfo = await second.getJobInfo();
  }
  const n1 = (await queryFeatures({ url: hosted("big"), where: "1=1", returnCountOnly: true })).count;
  check(/Cancel/.test(status(cancelled)) && status(secondInfo) === "Cancelled", "cancelJob on a queued job", `${status(cancelled)} then ${status(secondInfo)}`);
  check(status(firstDone) === "Succeeded" && n1 === n0 / 2, "the job before it ran; the cancelled one removed nothing", `${n0} → ${n1}`);

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
