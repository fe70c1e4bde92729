/**
 * compose.yaml is the deployment README's "Several replicas" describes: two app replicas with the
 * same PostgreSQL DATABASE_URL and REDIS_URL, one webhook URL in front, health checks on every
 * long-running service and volumes for the data. (`.ci/run` also runs `docker compose config -q`
 * where the compose plugin exists.)
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { PROJECT_ROOT } from "../cli/cli-harness.js";

interface Service {
  build?: string;
  image?: string;
  environment?: Record<string, string>;
  healthcheck?: { test: string[] };
  volumes?: string[];
  depends_on?: Record<string, { condition: string }>;
  command?: string[];
}

const compose = parse(readFileSync(join(PROJECT_ROOT, "compose.yaml"), "utf8"), { merge: true }) as {
  services: Record<string, Service>;
  volumes: Record<string, unknown>;
};

test("two app replicas share PostgreSQL and Redis, wait for them healthy, and sit behind one proxy", () => {
  const apps = Object.entries(compose.services).filter(([, s]) => s.build === ".");
  expect(apps.map(([name]) => name)).toEqual(["app-1", "app-2"]);
  for (const [, app] of apps) {
    expect(app.environment).toMatchObject({
      NODE_ENV: "production",
      REDIS_URL: "redis://redis:6379",
      DATABASE_URL: expect.stringMatching(/^postgres:\/\/.*@postgres:5432\//),
    });
    expect(app.depends_on).toEqual({ postgres: { condition: "service_healthy" }, redis: { condition: "service_healthy" } });
    expect(app.healthcheck?.test.join(" ")).toContain("/healthz");
  }
  expect(compose.services.proxy?.command).toEqual(expect.arrayContaining(["app-1:3000", "app-2:3000"]));
  expect(compose.services.postgres?.image).toBe("postgres:15");
  for (const name of ["postgres", "redis"]) expect(compose.services[name]?.healthcheck).toBeDefined();
  expect(Object.keys(compose.volumes)).toEqual(["postgres-data", "redis-data"]);
});
