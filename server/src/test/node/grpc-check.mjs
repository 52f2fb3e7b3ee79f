// Drives a running Vane gRPC listener with grpc-js, an independent client: lists the services by
// server reflection (grpc.reflection.v1, no .proto of Vane's needed), then streams one greedy
// generation through vane.v1.Generation loaded from the server's .proto. Prints one JSON line:
//   {"services": [...], "tokens": [...], "text": "...", "finish_reason": "...", "completion_tokens": N}
// Used by GrpcServiceTest:  node grpc-check.mjs HOST:PORT PATH/TO/generation.proto PROMPT MAX_TOKENS
import grpc from "@grpc/grpc-js";
import protoLoader from "@grpc/proto-loader";
import { createRequire } from "node:module";
import path from "node:path";

const [target, protoPath, prompt, maxTokens] = process.argv.slice(2);
const require = createRequire(import.meta.url);
const reflectionProto = path.join(path.dirname(require.resolve("@grpc/reflection/package.json")),
  "build/proto/grpc/reflection/v1/reflection.proto");
const options = { keepCase: true, longs: Number, enums: String, defaults: false, oneofs: true };
const reflection = grpc.loadPackageDefinition(protoLoader.loadSync(reflectionProto, options)).grpc.reflection.v1;
const vane = grpc.loadPackageDefinition(protoLoader.loadSync(protoPath, options)).vane.v1;

function listServices() {
  return new Promise((resolve, reject) => {
    const client = new reflection.ServerReflection(target, grpc.credentials.createInsecure());
    const call = client.ServerReflectionInfo();
    call.on("data", (r) => {
      resolve(r.list_services_response.service.map((s) => s.name));
      call.end();
    });
    call.on("error", reject);
    call.write({ list_services: "" });
  });
}

function stream() {
  return new Promise((resolve, reject) => {
    const client = new vane.Generation(target, grpc.credentials.createInsecure());
    const out = { tokens: [], text: "" };
    const call = client.GenerateStream({ text: prompt, max_tokens: Number(maxTokens), temperature: 0 });
    call.on("data", (m) => {
      if (m.event === "token") {
        out.tokens.push(m.token.token);
        out.text += m.token.text;
      } else {
        out.text += m.final.text ?? ""; // proto3 leaves an empty string out
        out.finish_reason = m.final.finish_reason;
        out.completion_tokens = m.final.usage.completion_tokens;
      }
    });
    call.on("end", () => resolve(out));
    call.on("error", reject);
  });
}

try {
  const services = await listServices();
  const generated = await stream();
  console.log(JSON.stringify({ services, ...generated }));
  process.exit(0);
} catch (e) {
  console.error("grpc-check: " + e.message);
  process.exit(1);
}
