// Loaded into the cdktf CLI through .npmrc (node-options): no version check or telemetry call.
process.env.CHECKPOINT_DISABLE = process.env.CHECKPOINT_DISABLE || "1";
