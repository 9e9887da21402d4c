using Analytics.Dashboard;

// The live dashboard: an Orleans client (Analytics.Client) behind a small read-only web app on 127.0.0.1:5080.
var app = DashboardApp.Build(args);
await app.RunAsync();
