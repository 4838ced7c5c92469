using OrleansExemplars.ApiHost.Hosting;

var app = ApiHostApp.Build(ApiHostApp.CreateBuilder(args));
app.Run();
