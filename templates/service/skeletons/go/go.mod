module ${{ values.goModule }}

go 1.23
