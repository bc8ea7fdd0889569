// Validates Kubernetes objects against the schemas shipped by the npm packages kubernetes-models
// (core, apps, policy), @kubernetes-models/keda and @kubernetes-models/prometheus-operator.
// Input: a JSON file (argv[2]) holding [{"where": "...", "object": {...}}, ...].
// Output: one line per object, "ok ..." or "INVALID ...: reason"; exit 1 if any is invalid or has
// no schema here.
import fs from "node:fs";
import * as core from "kubernetes-models/v1";
import * as apps from "kubernetes-models/apps/v1";
import * as batch from "kubernetes-models/batch/v1";
import * as policy from "kubernetes-models/policy/v1";
import * as keda from "@kubernetes-models/keda/keda.sh/v1alpha1";
import * as monitoring from "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1";

const models = {
  "v1": core, "apps/v1": apps, "batch/v1": batch, "policy/v1": policy,
  "keda.sh/v1alpha1": keda, "monitoring.coreos.com/v1": monitoring,
};
let invalid = 0;
for (const { where, object } of JSON.parse(fs.readFileSync(process.argv[2], "utf8"))) {
  const id = `${where} ${object.kind}/${object.metadata?.name}`;
  const Model = models[object.apiVersion]?.[object.kind];
  if (!Model) {
    invalid++;
    console.log(`INVALID ${id}: no schema for ${object.apiVersion} ${object.kind}`);
    continue;
  }
  try {
    new Model(object).validate();
    console.log(`ok ${id}`);
  } catch (e) {
    invalid++;
    console.log(`INVALID ${id}: ${e.message}`);
  }
}
process.exit(invalid ? 1 : 0);
