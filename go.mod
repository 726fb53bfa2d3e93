module wsplay

go 1.26

require github.com/gorilla/mux v1.8.1

require github.com/coder/websocket v1.8.15
