using EventEngine.WebApi;

// dotnet run --project example/EventEngine.WebApi [-- --urls http://127.0.0.1:5081 --EventEngine:Wire=true]
await WebApiApp.Build(args).RunAsync();
