/** What a fresh GraphiQL opens with (GraphiQL keeps later edits in localStorage). */
export const EXAMPLE_OPERATIONS = `# Task scheduler API: run one operation at a time.
# Press ▶ and pick one, or put the cursor inside an
# operation and press Ctrl/Cmd-Enter. Ids go in the
# Variables pane below. The dashboard at / shows the
# same project live.

# 1. Create a project; copy its id into "projectId".
mutation CreateProject {
  createProject(input: { name: "Demo project" }) {
    id
    name
    createdAt
  }
}

# 2. A small DAG in one transaction: the inputs refer
#    to each other by a client-side key.
mutation CreateTasks($projectId: ID!) {
  createTasks(inputs: [
    { projectId: $projectId, key: "design",
      title: "Design the schema", priority: 7 }
    { projectId: $projectId, key: "build",
      title: "Implement the API", dependencyKeys: ["design"] }
    { projectId: $projectId, key: "docs",
      title: "Document the API", dependencyKeys: ["build"] }
  ]) {
    id
    title
    status   # READY, or PENDING while it waits
    dependencies
  }
}

# 3. Or one task at a time (dependencies by id;
#    priority 1..10, higher runs first).
mutation CreateTask($projectId: ID!) {
  createTask(input: {
    projectId: $projectId
    title: "Fix the login redirect"
    description: "Fix the redirect after login"
    priority: 8
    context: { url: "/login" }
  }) {
    id
    status
    effectivePriority
  }
}

# 4. A worker takes the highest-priority READY task
#    and holds a 60 s lease. Copy its id into "taskId".
mutation ClaimNextTask($projectId: ID!) {
  claimNextTask(
    projectId: $projectId
    workerId: "graphiql"
    leaseSeconds: 60
  ) {
    id
    title
    status
    workerId
    startedAt
    leaseExpiresAt
  }
}

# 5. Complete it: dependents whose dependencies are
#    all COMPLETED become READY.
mutation CompleteTask($taskId: ID!) {
  completeTask(
    id: $taskId
    workerId: "graphiql"
    result: { ok: true }
  ) {
    id
    status
    completedAt
    dependents { id title status }
  }
}

# 6. The project's tasks, a page at a time (pass
#    pageInfo.endCursor as "after" for the next one).
query Tasks($projectId: ID!) {
  tasks(filter: { projectId: $projectId }, first: 50) {
    totalCount
    edges {
      node {
        id title status priority effectivePriority
        dependencies retryCount maxRetries
      }
    }
    pageInfo { hasNextPage endCursor }
  }
}

# 7. Anything stuck? Dependency cycles, and tasks that
#    wait on FAILED, CANCELLED or missing tasks.
query DetectDeadlocks($projectId: ID!) {
  detectDeadlocks(projectId: $projectId) {
    cycles
    stalled { task { id title } reason blockedBy }
  }
}

# 8. Live status changes (graphql-ws). Start it, then
#    run mutations in another tab. Add afterCursor: "…"
#    to replay what happened after that event cursor.
subscription TaskStatusChanged($projectId: ID) {
  taskStatusChanged(projectId: $projectId) {
    cursor
    taskId
    previousStatus
    status
    at
    task { title priority retryCount }
  }
}

# 9. A cron schedule: every weekday at 09:00 Berlin
#    time one task, READY at the tick (5 fields, or 6
#    with seconds first). Upserting the same name
#    replaces it; triggerSchedule(id) runs it now.
mutation UpsertSchedule($projectId: ID!) {
  upsertSchedule(input: {
    projectId: $projectId
    name: "morning report"
    cron: "0 9 * * 1-5"
    timezone: "Europe/Berlin"
    overlap: SKIP     # nothing while the last run is unfinished
    catchUp: LATEST   # after downtime, the latest missed tick once
    task: { title: "Send the morning report", timeoutSeconds: 300 }
  }) {
    id
    nextRunAt
    lastRunAt
  }
}

# 10. A task that waits until a time (SCHEDULED, then
#     READY at runAt; delaySeconds works too).
mutation CreateLaterTask($projectId: ID!) {
  createTask(input: {
    projectId: $projectId
    title: "Remind me in a minute"
    delaySeconds: 60
  }) {
    id
    status   # SCHEDULED
    runAt
  }
}
`;

export const EXAMPLE_VARIABLES = `{
  "projectId": "1",
  "taskId": "1"
}
`;
