using OrleansExemplars.Silo.Hosting;

var builder = WebApplication.CreateBuilder(args);
builder.AddOrleansExemplarsSilo();
var app = builder.Build();
app.MapSiloEndpoints();
app.Run();
