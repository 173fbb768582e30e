"""Running the app as several replicas behind a sticky load balancer: see deploy/README.md."""
