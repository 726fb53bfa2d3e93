module wsplay

go 1.26
